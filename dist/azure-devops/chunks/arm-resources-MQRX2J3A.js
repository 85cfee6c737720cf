import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);
import{a,b,c}from"./chunk-GY2H3K3P.js";import"./chunk-LMMMITON.js";import"./chunk-67OEHKSE.js";import"./chunk-NWVHDIHH.js";export{b as ArmResources,c as isSignInError,a as storageAccountId};
