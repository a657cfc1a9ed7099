/** The rows' schema in its own chunk: zod is not loaded at a cold start for the home screen's sake. */
export { recoRows } from '@ifec/protocol';
