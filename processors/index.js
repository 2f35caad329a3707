// The processor entry that Node loads as it is (Node >= 22.18 strips the
// types of the .ts files it imports): the suite and the tests name it, so a
// run starts without Artillery's esbuild bundle (~3 s per run, and one shared
// processors/dist/ for concurrent runs). The phase files name index.ts, which
// Artillery bundles: that also runs on distributed workers' older Node.
export * from './index.ts';
