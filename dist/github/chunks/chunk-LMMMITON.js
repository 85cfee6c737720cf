import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);
import{x as i}from"./chunk-67OEHKSE.js";import{a as r}from"./chunk-NWVHDIHH.js";var o=new WeakMap;function a(e){let t=o.get(e);if(!t){let l=i();t={sendRequest(n){return n.agent=e.agentFor(n.url),l.sendRequest(n)}},o.set(e,t)}return t}r(a,"sdkHttpClient");export{a};
