// Quiet by default; tests that inspect logs raise the level themselves (see capture-output.ts).
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// On Node 20 the AWS SDK warns once that Node 20 support ends: true, and irrelevant to any assertion.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
