declare module 'libsvm-js/asm.js';
