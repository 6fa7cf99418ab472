export * from './bus-signer.js';
export * from './keyring.js';
export * from './payload-codec.js';
export * from './payload-seal.js';
export * from './security.build.js';
export * from './security.options.js';
