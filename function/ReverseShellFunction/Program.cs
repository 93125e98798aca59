using ReverseShellFunction.Cli;

// One executable: the HTTP function (no arguments, or "serve") and the responder/auditor commands.
return await CommandLineApp.InvokeAsync(args);
