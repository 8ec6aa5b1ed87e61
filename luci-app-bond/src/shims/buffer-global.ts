// Injected by esbuild into the page bundle: every free `Buffer` there means this one.
export { BrowserBuffer as Buffer } from './buffer.js';
