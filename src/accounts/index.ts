// Several Plivo accounts: the store (over VS Code's SecretStorage shape) and signature matching, editor-free.
export * from './errors';
export * from './labels';
export * from './signatureMatch';
export * from './store';
