import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);
import{a as r}from"./chunk-NWVHDIHH.js";async function i(n,o,t){let e=0,a=r(async()=>{for(;e<n.length;)await t(n[e++])},"worker");await Promise.all(Array.from({length:Math.min(o,n.length)},a))}r(i,"forEachConcurrently");export{i as a};
