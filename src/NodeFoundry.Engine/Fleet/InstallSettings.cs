namespace NodeFoundry.Fleet;

/// <summary>
/// What an unattended install sets up on the node (fleet file: <c>profiles.NAME.install</c>); read by the answer-file
/// renderers (autoinstall, kickstart, preseed). Secrets are references only: the password hash is read at render time
/// from a file or an environment variable, never written in the fleet file.
/// </summary>
public sealed class InstallSettings
{
    /// <summary>Default install settings (no user, LVM on the first disk, UTC, phone home on).</summary>
    public static InstallSettings Default { get; } = new();

    /// <summary>Time zone (tz database name), default <c>Etc/UTC</c>.</summary>
    public string Timezone { get; init; } = "Etc/UTC";

    /// <summary>Locale, default <c>en_US.UTF-8</c>.</summary>
    public string Locale { get; init; } = "en_US.UTF-8";

    /// <summary>Keyboard layout (X keymap name), default <c>us</c>.</summary>
    public string Keyboard { get; init; } = "us";

    /// <summary>The administrative user created by the installer, or null for none.</summary>
    public string? Username { get; init; }

    /// <summary>Where the user's crypt(3) password hash is kept: <c>file:PATH</c> or <c>env:NAME</c>; null locks the password.</summary>
    public SecretReference? PasswordHash { get; init; }

    /// <summary>SSH public keys authorised for <see cref="Username"/> (one <c>authorized_keys</c> line each).</summary>
    public IReadOnlyList<string> SshAuthorizedKeys { get; init; } = [];

    /// <summary>Disk layout: <c>lvm</c> (default) or <c>direct</c> (plain partitions).</summary>
    public string Storage { get; init; } = "lvm";

    /// <summary>Target disk such as <c>/dev/sda</c>; null lets the installer pick (the largest or first disk).</summary>
    public string? Disk { get; init; }

    /// <summary>Extra packages to install.</summary>
    public IReadOnlyList<string> Packages { get; init; } = [];

    /// <summary>Whether the installer calls the phone-home route when it is done (default true).</summary>
    public bool PhoneHome { get; init; } = true;
}
