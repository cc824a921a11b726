namespace NodeFoundry.Host;

/// <summary>The command line is wrong: the message says what and how to fix it.</summary>
internal sealed class UsageException(string message) : Exception(message);
