import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);
import{a as r}from"./chunk-NWVHDIHH.js";function e(m,n){let M=Math.min(12e4,Math.max(0,n-m)/2);return n-M}r(e,"refreshTime");export{e as a};
