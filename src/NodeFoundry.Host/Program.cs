using NodeFoundry.Host;

return await CommandLine.RunAsync(args).ConfigureAwait(false);
