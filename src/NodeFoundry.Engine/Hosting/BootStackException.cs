namespace NodeFoundry.Hosting;

/// <summary>One engine of a <see cref="BootStack"/> could not run; the whole stack stopped. Names the engine and why.</summary>
public sealed class BootStackException : InvalidOperationException
{
    public BootStackException()
    {
        ServiceName = string.Empty;
    }

    public BootStackException(string message)
        : base(message)
    {
        ServiceName = string.Empty;
    }

    public BootStackException(string message, Exception innerException)
        : base(message, innerException)
    {
        ServiceName = string.Empty;
    }

    public BootStackException(string serviceName, string message, Exception innerException)
        : base(message, innerException)
    {
        ServiceName = serviceName;
    }

    /// <summary>The engine that failed, e.g. "tftp@127.0.0.1:69".</summary>
    public string ServiceName { get; }
}
