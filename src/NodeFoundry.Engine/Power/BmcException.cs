namespace NodeFoundry.Power;

/// <summary>A BMC operation failed. The message names the BMC and the cause; it never contains a password.</summary>
public sealed class BmcException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BmcException(BmcEndpoint endpoint, BmcFailure failure, string message, Exception? inner = null)
        : base($"{endpoint}: {message}", inner)
    {
        Endpoint = endpoint;
        Failure = failure;
    }

    /// <summary>The BMC.</summary>
    public BmcEndpoint Endpoint { get; }

    /// <summary>The kind of failure.</summary>
    public BmcFailure Failure { get; }
}
