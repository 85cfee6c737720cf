import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);
import{a,b,c}from"./chunk-YIAJ4BWK.js";import"./chunk-AUF4Q4IS.js";import"./chunk-NWVHDIHH.js";export{b as ArmResources,c as isSignInError,a as storageAccountId};
