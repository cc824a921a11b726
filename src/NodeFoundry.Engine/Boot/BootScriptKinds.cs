namespace NodeFoundry.Boot;

/// <summary>Maps a fleet profile's <c>os</c> to the <see cref="BootScriptKind"/> that boots it.</summary>
public static class BootScriptKinds
{
    /// <summary>The script kind for a profile <c>os</c> value (<c>ubuntu</c>, <c>rhel</c>, <c>debian</c>, <c>custom</c>, <c>chain</c>, <c>sanboot</c>, <c>local</c>).</summary>
    public static bool TryFromOs(string? os, out BootScriptKind kind)
    {
        (bool found, kind) = os switch
        {
            "ubuntu" => (true, BootScriptKind.Ubuntu),
            "rhel" => (true, BootScriptKind.Rhel),
            "debian" => (true, BootScriptKind.Debian),
            "custom" => (true, BootScriptKind.Custom),
            "chain" => (true, BootScriptKind.Chain),
            "sanboot" => (true, BootScriptKind.Sanboot),
            "local" => (true, BootScriptKind.ExitToDisk),
            _ => (false, BootScriptKind.ExitToDisk),
        };
        return found;
    }

    /// <summary>True for the kinds that download a kernel and initrd.</summary>
    public static bool LoadsKernel(BootScriptKind kind) =>
        kind is BootScriptKind.Ubuntu or BootScriptKind.Rhel or BootScriptKind.Debian or BootScriptKind.Custom;

    /// <summary>True for the installer kinds, which fetch an answer file.</summary>
    public static bool IsInstaller(BootScriptKind kind) =>
        kind is BootScriptKind.Ubuntu or BootScriptKind.Rhel or BootScriptKind.Debian;
}
