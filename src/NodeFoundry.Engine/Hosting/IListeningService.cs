namespace NodeFoundry.Hosting;

/// <summary>
/// A service that can say when it is ready: its sockets are bound. Hosts wait for it before announcing
/// "serving", so a script (or a test) that waits for that line can send traffic at once.
/// </summary>
public interface IListeningService
{
    /// <summary>Completes once bound; faults with the bind error.</summary>
    Task WhenListening { get; }
}
