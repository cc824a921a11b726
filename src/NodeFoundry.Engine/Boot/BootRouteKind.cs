namespace NodeFoundry.Boot;

/// <summary>The per-node routes of the HTTP server (see docs/http-routes.md).</summary>
public enum BootRouteKind
{
    /// <summary><c>boot/{mac}.ipxe</c>: the node's iPXE script.</summary>
    Script,

    /// <summary><c>nocloud/{mac}/{file}</c>: a file of the node's NoCloud seed (user-data, meta-data, vendor-data, network-config).</summary>
    NoCloud,

    /// <summary><c>ks/{mac}.cfg</c>: the node's kickstart file.</summary>
    Kickstart,

    /// <summary><c>preseed/{mac}.cfg</c>: the node's preseed file.</summary>
    Preseed,

    /// <summary><c>phone-home/{mac}</c>: called (GET or POST) by the installer when the install is done.</summary>
    PhoneHome,
}
