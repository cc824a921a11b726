namespace NodeFoundry.Fleet;

/// <summary>What the HTTP server answers on <c>boot/{mac}.ipxe</c> for a MAC that is not in the fleet (fleet file: <c>http.unknownNodes</c>).</summary>
public enum UnknownNodePolicy
{
    /// <summary><c>discovery</c>: a script that reports the node (<c>discover/{mac}</c>), waits, then exits to the local disk.</summary>
    Discovery,

    /// <summary><c>exit</c>: the exit-to-disk script.</summary>
    Exit,

    /// <summary><c>404</c>: no script; iPXE reports the failure and falls back to the firmware's next boot option.</summary>
    NotFound,
}
