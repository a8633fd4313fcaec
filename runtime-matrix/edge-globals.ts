// Edge runtimes have no Buffer; vitest's edge-runtime environment adds the edge globals but
// leaves Node's in place. Removing Buffer makes a package that leans on it fail here.
Reflect.deleteProperty(globalThis, 'Buffer');
