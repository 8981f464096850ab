// Prints one plain closing line ("suite: N passed, N failed, N skipped") after Jest's own summary,
// so CI tooling that reads a run's last line can tell how many tests ran.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(
      `\nsuite: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`,
    );
  }
}
module.exports = SummaryReporter;
