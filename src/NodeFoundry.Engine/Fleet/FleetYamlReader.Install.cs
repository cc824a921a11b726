using System.Globalization;
using System.Text.RegularExpressions;
using NodeFoundry.Yaml;

namespace NodeFoundry.Fleet;

/// <summary>Profile keys that feed the boot-script and answer-file renderers: console, URLs, cmdline and <c>install</c>.</summary>
internal sealed partial class FleetYamlReader
{
    private static readonly string[] SshKeyTypes =
        ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com"];

    private static readonly string[] SanSchemes = ["iscsi:", "aoe:", "fcp:", "ib_srp:"];

    private InstallSettings? ReadInstall(Map profile)
    {
        string path = profile.Child("install");
        Map? map = OpenMap(profile.Value("install"), path, "install", InstallKeys,
            "install: { username: ops, passwordHash: file:secrets/ops.hash }", installSecrets: true);
        if (map is null)
        {
            return null;
        }

        var install = new InstallSettings
        {
            Timezone = Matching(map, "timezone", TimezonePattern(), "a tz database name such as Etc/UTC or Europe/Berlin") ?? InstallSettings.Default.Timezone,
            Locale = Matching(map, "locale", LocalePattern(), "a locale such as en_US.UTF-8") ?? InstallSettings.Default.Locale,
            Keyboard = Matching(map, "keyboard", KeyboardPattern(), "an X keyboard layout such as us or de") ?? InstallSettings.Default.Keyboard,
            Username = Username(map),
            PasswordHash = PasswordHash(map),
            SshAuthorizedKeys = SshKeys(map),
            Storage = TryChoice(map, "storage", StorageLayouts, out string? storage) ? storage : InstallSettings.Default.Storage,
            Disk = Matching(map, "disk", DiskPattern(), "a disk device path such as /dev/sda or /dev/nvme0n1"),
            Packages = TextList(map, "packages", PackagePattern(), "package names such as [openssh-server, curl]"),
            PhoneHome = Bool(map, "phoneHome") ?? true,
        };

        if (install.PasswordHash is not null && install.Username is null)
        {
            _diag.At(map.Child("passwordHash"), "A password hash is referenced but no user is created to use it.",
                "Add 'username:' (such as ops), or remove 'passwordHash:'.");
        }

        if (install.SshAuthorizedKeys.Count > 0 && install.Username is null)
        {
            _diag.At(map.Child("sshAuthorizedKeys"), "SSH keys are listed but no user is created to hold them.",
                "Add 'username:' (such as ops), or remove 'sshAuthorizedKeys:'.");
        }

        return install;
    }

    private string? Matching(Map map, string key, Regex pattern, string expectation)
    {
        string? text = NonEmptyText(map, key, expectation);
        if (text is not null && !pattern.IsMatch(text))
        {
            _diag.At(map.Child(key), $"'{text}' is not a valid {key}.", $"Write {expectation}.");
            return null;
        }

        return text;
    }

    private string? Username(Map map)
    {
        string? name = Matching(map, "username", UserPattern(), "a Linux user name of lower-case letters, digits, '-' and '_', such as ops");
        if (name == "root")
        {
            _diag.At(map.Child("username"), "'root' cannot be the installer-created user; the renderers lock root.",
                "Name an administrative user such as ops; it gets sudo rights.");
            return null;
        }

        return name;
    }

    private SecretReference? PasswordHash(Map map)
    {
        string? text = NonEmptyText(map, "passwordHash", "a reference such as file:secrets/ops.hash or env:NF_OPS_HASH");
        if (text is null)
        {
            return null;
        }

        if (text.StartsWith('$'))
        {
            _diag.At(map.Value("passwordHash")!, map.Child("passwordHash"), "'passwordHash' holds a hash itself; the fleet file only says where the hash is kept.",
                "Move the hash into a file (or an environment variable) and write 'passwordHash: file:secrets/ops.hash' (or 'env:NF_OPS_HASH').",
                value: string.Empty);
            return null;
        }

        if (!SecretReference.TryParse(text, out SecretReference? reference))
        {
            _diag.At(map.Child("passwordHash"), $"'{text}' is not a secret reference.",
                "Write file:PATH (relative to the fleet file) or env:NAME, such as file:secrets/ops.hash.");
            return null;
        }

        return reference;
    }

    private List<string> SshKeys(Map map)
    {
        var keys = new List<string>();
        foreach ((string key, string path) in TextItems(map, "sshAuthorizedKeys", "\"ssh-ed25519 AAAAC3Nza... ops@lab\""))
        {
            string[] parts = key.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2 || !SshKeyTypes.Contains(parts[0], StringComparer.Ordinal))
            {
                _diag.At(path, $"'{Shorten(key)}' is not an SSH public key.",
                    $"Paste one line of a .pub file: a key type ({string.Join(", ", SshKeyTypes.Take(3))}, ...), the base64 key and an optional comment.");
            }
            else if (key.IndexOfAny(['\'', '"', '\\', '\n', '\r']) >= 0)
            {
                _diag.At(path, $"'{Shorten(key)}' contains quotes, backslashes or line breaks.",
                    "Remove them; an authorized_keys line needs none (put options such as from=\"...\" on the node instead).");
            }
            else
            {
                keys.Add(string.Join(' ', parts));
            }
        }

        return keys;
    }

    private List<string> TextList(Map map, string key, Regex pattern, string expectation)
    {
        var values = new List<string>();
        foreach ((string value, string path) in TextItems(map, key, expectation))
        {
            if (pattern.IsMatch(value))
            {
                values.Add(value);
            }
            else
            {
                _diag.At(path, $"'{value}' is not a valid entry of '{key}'.", $"Write {expectation}.");
            }
        }

        return values;
    }

    /// <summary>A list of non-empty scalars (a single scalar counts as a one-entry list).</summary>
    private List<(string Value, string Path)> TextItems(Map map, string key, string example)
    {
        var result = new List<(string, string)>();
        YamlNode? node = map.Value(key);
        string path = map.Child(key);
        switch (node)
        {
            case null:
                break;
            case YamlScalarNode scalar when !string.IsNullOrWhiteSpace(scalar.Value):
                result.Add((scalar.Value.Trim(), path));
                break;
            case YamlSequenceNode sequence:
                for (int i = 0; i < sequence.Children.Count; i++)
                {
                    string itemPath = string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]");
                    YamlNode item = sequence.Children[i];
                    _diag.Remember(itemPath, item);
                    if (item is YamlScalarNode itemScalar && !string.IsNullOrWhiteSpace(itemScalar.Value))
                    {
                        result.Add((itemScalar.Value.Trim(), itemPath));
                    }
                    else
                    {
                        _diag.At(item, itemPath, $"Each entry of '{key}' must be one non-empty value.", $"Write a list such as [{example}].");
                    }
                }

                break;
            default:
                _diag.At(node, path, $"'{key}' must be a list, not a {Describe(node)}.", $"Write a list such as [{example}].");
                break;
        }

        return result;
    }

    private string? SerialConsole(Map map, string key)
    {
        string? text = NonEmptyText(map, key, "a serial console such as ttyS0,115200n8");
        if (text is null)
        {
            return null;
        }

        if (text.StartsWith("console=", StringComparison.Ordinal))
        {
            text = text["console=".Length..];
        }

        if (!ConsolePattern().IsMatch(text))
        {
            _diag.At(map.Child(key), $"'{text}' is not a serial console.",
                "Write the device and speed as the kernel's console= takes them, such as ttyS0,115200n8 (x86) or ttyAMA0,115200 (arm64).");
            return null;
        }

        return text;
    }

    /// <summary>A URL for chain/sanboot: http(s), {http}, a SAN URI, or a path under the HTTP root.</summary>
    private string? BootUrl(Map map, string key)
    {
        string? text = NonEmptyText(map, key, "a URL such as {http}menu.ipxe");
        if (text is null)
        {
            return null;
        }

        if (SanSchemes.Any(s => text.StartsWith(s, StringComparison.OrdinalIgnoreCase)))
        {
            return text;
        }

        return HttpPath(map, key, "images/rescue.iso");
    }

    /// <summary>Kernel arguments become tokens of an iPXE command line; some tokens would change what iPXE runs.</summary>
    private void CheckCmdline(string path, string cmdline)
    {
        foreach (string token in cmdline.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (token.StartsWith('#'))
            {
                _diag.At(path, $"The cmdline argument '{token}' starts with '#', so iPXE would read it and everything after it as a comment.",
                    "Remove the argument or move the '#' off its first character.");
                return;
            }

            if (token is "&&" or "||" or ";")
            {
                _diag.At(path, $"The cmdline holds '{token}' on its own, which iPXE reads as a command separator.",
                    "Remove it; kernel arguments are separated by spaces only.");
                return;
            }
        }

        if (cmdline.Contains('\n', StringComparison.Ordinal) || cmdline.Contains('\r', StringComparison.Ordinal))
        {
            _diag.At(path, "The cmdline spans several lines; an iPXE kernel line must be one line.", "Write the arguments on one line separated by spaces.");
        }
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "...";

    [GeneratedRegex(@"^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*$")]
    private static partial Regex TimezonePattern();

    [GeneratedRegex(@"^[a-z]{2,3}(_[A-Z]{2})?(\.[A-Za-z0-9\-]+)?(@[a-z]+)?$|^C(\.UTF-8)?$")]
    private static partial Regex LocalePattern();

    [GeneratedRegex(@"^[a-z][a-z0-9_\-]*$")]
    private static partial Regex KeyboardPattern();

    [GeneratedRegex(@"^[a-z_][a-z0-9_\-]{0,31}$")]
    private static partial Regex UserPattern();

    [GeneratedRegex(@"^/dev/[A-Za-z0-9_\-./:]+$")]
    private static partial Regex DiskPattern();

    [GeneratedRegex(@"^[A-Za-z0-9@^][A-Za-z0-9._+:@^\-]*$")]
    private static partial Regex PackagePattern();

    [GeneratedRegex(@"^tty[A-Za-z]*[0-9]+(,[0-9]+([noe][5-8]?r?)?)?$")]
    private static partial Regex ConsolePattern();
}
