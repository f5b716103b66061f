// `npm start`: runs one snapshot cycle over a simulated fleet on the embedded local AWS.
// The pipeline (dispatcher and worker) does not exist yet, so there is no cycle to run.
console.error(
  'npm start cannot run a snapshot cycle yet: the dispatcher and worker are not built (issue "The snapshot pipeline").',
);
process.exit(1);
