/**
 * The published policy as a language-resolved document. Each section is built by its own module under `render/`;
 * this module is the entry the renderers, the diff and the HTTP layer import.
 */
export { buildPolicyDocument } from './render/build-policy-document.ts';
export { sectionKeys, type Block, type DocumentOptions, type Inline, type Lang, type PolicyDocument, type PolicySection, type Rich, type SectionKey } from './render/policy-document.ts';
export { selfName, type SelfName } from './render/self-name.ts';
export { mergedHistory, type HistoryEntry } from './render/policy-history.ts';
