using System.Text.RegularExpressions;
using NodeFoundry.Yaml;

namespace NodeFoundry.Boot;

/// <summary>
/// Checks rendered boot scripts and answer files for the mistakes that make a network install fail or stop at a
/// prompt (see <see cref="LintCodes"/>). Every renderer's output passes through here; the checks read only the text,
/// so hand-written files can be linted too.
/// </summary>
public static partial class BootLint
{
    private static readonly string[] FetchCommands = ["kernel", "imgfetch", "initrd", "module", "chain", "imgexec", "imgselect", "imgload"];
    private static readonly string[] KickstartSections = ["%packages", "%pre", "%pre-install", "%post", "%onerror", "%addon", "%anaconda", "%traceback"];
    private static readonly string[] KickstartSources = ["url", "nfs", "cdrom", "harddrive", "liveimg", "ostreesetup", "ostreecontainer"];
    private static readonly string[] KickstartEndings = ["reboot", "poweroff", "shutdown", "halt"];
    private static readonly string[] PreseedTypes = ["string", "boolean", "select", "multiselect", "password", "note", "text", "error", "title"];

    /// <summary>Lints an answer file of the given kind.</summary>
    public static IReadOnlyList<LintFinding> AnswerFile(AnswerFileKind kind, string text) => kind switch
    {
        AnswerFileKind.UserData => UserData(text),
        AnswerFileKind.MetaData => MetaData(text),
        AnswerFileKind.VendorData => VendorData(text),
        AnswerFileKind.NetworkConfig => NetworkConfig(text),
        AnswerFileKind.Kickstart => Kickstart(text),
        _ => Preseed(text),
    };

    /// <summary>Lints an iPXE script, including the installer arguments on its kernel lines.</summary>
    public static IReadOnlyList<LintFinding> Ipxe(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var findings = new List<LintFinding>();
        string[] lines = Lines(text);
        if (lines.Length == 0 || lines[0].TrimEnd() != "#!ipxe")
        {
            findings.Add(new(LintCodes.IpxeMagic, LintSeverity.Error, 1, "The script does not start with the line '#!ipxe', so iPXE will not run it as a script.",
                "Make '#!ipxe' the very first line."));
        }

        var labels = new HashSet<string>(StringComparer.Ordinal);
        var gotos = new List<(string Label, int Line)>();
        for (int i = 0; i < lines.Length; i++)
        {
            int line = i + 1;
            string[] tokens = Tokens(lines[i]);
            if (tokens.Length == 0 || tokens[0].StartsWith('#'))
            {
                continue;
            }

            if (tokens[0].StartsWith(':'))
            {
                labels.Add(tokens[0][1..]);
                continue;
            }

            if (Unclosed(lines[i]))
            {
                findings.Add(new(LintCodes.IpxeSetting, LintSeverity.Error, line, "A '${' setting reference is not closed with '}'.", "Close it, as in ${mac}."));
            }

            for (int t = 0; t < tokens.Length - 1; t++)
            {
                if (tokens[t] == "goto")
                {
                    gotos.Add((tokens[t + 1], line));
                }
            }

            foreach (string[] command in Commands(tokens))
            {
                LintCommand(command, line, findings);
            }
        }

        foreach ((string label, int line) in gotos.Where(g => !labels.Contains(g.Label)))
        {
            findings.Add(new(LintCodes.IpxeLabel, LintSeverity.Error, line, $"'goto {label}' names a label the script does not define.",
                $"Add a line ':{label}' or correct the label."));
        }

        return findings;
    }

    /// <summary>Lints NoCloud user-data holding an autoinstall config.</summary>
    public static IReadOnlyList<LintFinding> UserData(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var findings = new List<LintFinding>();
        CloudConfigHeader(text, "user-data", findings);
        YamlMappingNode? root = ParseMapping(text, findings);
        if (root is null)
        {
            return findings;
        }

        if (Child(root, "autoinstall") is not YamlMappingNode auto)
        {
            findings.Add(new(LintCodes.AutoinstallMissing, LintSeverity.Error, 0, "user-data has no top-level 'autoinstall:' mapping, so Subiquity installs interactively.",
                "Put the install configuration under 'autoinstall:' (with 'version: 1')."));
            return findings;
        }

        if (Child(auto, "version") is not YamlScalarNode { Value: "1" })
        {
            findings.Add(new(LintCodes.AutoinstallVersion, LintSeverity.Error, LineOf(Child(auto, "version") ?? auto),
                "autoinstall.version is missing or not 1.", "Write 'version: 1' under 'autoinstall:'."));
        }

        YamlNode? identity = Child(auto, "identity");
        if (identity is null && Child(auto, "user-data") is null)
        {
            findings.Add(new(LintCodes.AutoinstallIdentity, LintSeverity.Error, LineOf(auto),
                "autoinstall has neither 'identity' nor 'user-data', so Subiquity stops and asks for a user.",
                "Set install.username in the fleet profile (and install.passwordHash or install.sshAuthorizedKeys)."));
        }

        if (identity is YamlMappingNode id && Child(id, "password") is YamlScalarNode password)
        {
            if (!IsCryptOrLocked(password.Value))
            {
                findings.Add(new(LintCodes.PasswordPlaintext, LintSeverity.Error, LineOf(password),
                    "identity.password is not a crypt(3) hash; Subiquity would treat the text as a hash and nobody could log in with it.",
                    "Reference a hash made with 'openssl passwd -6' through install.passwordHash."));
            }
            else if (password.Value is "!" or "*" && !HasSshKeys(auto))
            {
                findings.Add(new(LintCodes.NoLogin, LintSeverity.Warning, LineOf(password),
                    "The user's password is locked and no SSH key is authorised: nobody can log in to the installed node.",
                    "Add install.sshAuthorizedKeys or install.passwordHash to the fleet profile."));
            }
        }

        return findings;
    }

    /// <summary>Lints NoCloud meta-data.</summary>
    public static IReadOnlyList<LintFinding> MetaData(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var findings = new List<LintFinding>();
        YamlMappingNode? root = ParseMapping(text, findings);
        if (root is null)
        {
            if (findings.Count == 0)
            {
                findings.Add(new(LintCodes.InstanceId, LintSeverity.Error, 0, "meta-data is empty; cloud-init requires an instance-id.", "Write 'instance-id: nf-NODE'."));
            }

            return findings;
        }

        if (Child(root, "instance-id") is not YamlScalarNode { Value: { Length: > 0 } id } node)
        {
            findings.Add(new(LintCodes.InstanceId, LintSeverity.Error, 0, "meta-data has no instance-id; cloud-init requires one.", "Write 'instance-id: nf-NODE'."));
        }
        else if (id.Contains('/', StringComparison.Ordinal))
        {
            findings.Add(new(LintCodes.InstanceIdSlash, LintSeverity.Error, LineOf(node),
                $"The instance-id '{id}' contains '/'; cloud-init uses it as a directory name.", "Use letters, digits, '.', '-' and '_' only."));
        }

        return findings;
    }

    /// <summary>Lints NoCloud vendor-data (empty, or a cloud-config).</summary>
    public static IReadOnlyList<LintFinding> VendorData(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var findings = new List<LintFinding>();
        if (text.Trim().Length > 0)
        {
            CloudConfigHeader(text, "vendor-data", findings);
            ParseMapping(text, findings, allowEmpty: true);
        }

        return findings;
    }

    /// <summary>Lints NoCloud network-config.</summary>
    public static IReadOnlyList<LintFinding> NetworkConfig(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var findings = new List<LintFinding>();
        YamlMappingNode? root = ParseMapping(text, findings);
        if (root is null)
        {
            return findings;
        }

        YamlMappingNode config = Child(root, "network") as YamlMappingNode ?? root;
        if (Child(config, "version") is not YamlScalarNode { Value: "1" or "2" })
        {
            findings.Add(new(LintCodes.NetworkVersion, LintSeverity.Error, 0, "network-config has no 'version: 1' or 'version: 2'.", "Write 'version: 2' (netplan format)."));
        }

        return findings;
    }

    /// <summary>Lints a kickstart file.</summary>
    public static IReadOnlyList<LintFinding> Kickstart(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var findings = new List<LintFinding>();
        string[] lines = Lines(text);
        string? open = null;
        int openLine = 0;
        bool packages = false;
        bool source = false;
        bool ending = false;
        for (int i = 0; i < lines.Length; i++)
        {
            int line = i + 1;
            string[] tokens = Tokens(lines[i]);
            if (tokens.Length == 0 || tokens[0].StartsWith('#'))
            {
                continue;
            }

            string word = tokens[0];
            if (word == "%end")
            {
                open = null;
                continue;
            }

            if (KickstartSections.Contains(word, StringComparer.Ordinal))
            {
                if (open is not null)
                {
                    findings.Add(new(LintCodes.KickstartEnd, LintSeverity.Error, openLine, $"The {open} section is not closed with %end before {word}.", $"Add a line '%end' after the {open} section."));
                }

                (open, openLine) = (word, line);
                packages |= word == "%packages";
                continue;
            }

            if (open is not null)
            {
                continue;
            }

            source |= KickstartSources.Contains(word, StringComparer.Ordinal);
            ending |= KickstartEndings.Contains(word, StringComparer.Ordinal);
            if (word is "rootpw" or "user")
            {
                LintKickstartPassword(tokens, line, findings);
            }
        }

        if (open is not null)
        {
            findings.Add(new(LintCodes.KickstartEnd, LintSeverity.Error, openLine, $"The {open} section is not closed with %end.", $"Add a line '%end' after the {open} section."));
        }

        if (!packages)
        {
            findings.Add(new(LintCodes.KickstartPackages, LintSeverity.Error, 0, "The kickstart has no %packages section, so anaconda stops at software selection.",
                "Add a %packages section (such as '@^minimal-environment') closed with %end."));
        }

        if (!source)
        {
            findings.Add(new(LintCodes.KickstartSource, LintSeverity.Warning, 0, "The kickstart names no installation source; it relies on inst.repo= on the kernel line.",
                "Set the profile's repo: to the install tree (it becomes 'url --url=...')."));
        }

        if (!ending)
        {
            findings.Add(new(LintCodes.KickstartNoReboot, LintSeverity.Warning, 0, "The kickstart does not say reboot, poweroff, shutdown or halt, so anaconda waits for a key press at the end.",
                "Add a line 'reboot'."));
        }

        return findings;
    }

    /// <summary>Lints a Debian preseed file.</summary>
    public static IReadOnlyList<LintFinding> Preseed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var findings = new List<LintFinding>();
        string[] lines = Lines(text);
        bool partman = false;
        bool reboot = false;
        for (int i = 0; i < lines.Length; i++)
        {
            int line = i + 1;
            string trimmed = lines[i].Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            string[] tokens = Tokens(trimmed);
            if (tokens.Length < 3 || !PreseedTypes.Contains(tokens[2], StringComparer.Ordinal))
            {
                findings.Add(new(LintCodes.PreseedSyntax, LintSeverity.Error, line, $"'{Shorten(trimmed)}' is not 'owner question type value'.",
                    $"Write lines such as 'd-i time/zone string Etc/UTC'; types are {string.Join(", ", PreseedTypes)}."));
                continue;
            }

            string question = tokens[1];
            string value = tokens.Length > 3 ? string.Join(' ', tokens[3..]) : string.Empty;
            partman |= question == "partman/confirm" && value == "true";
            reboot |= question == "finish-install/reboot_in_progress";
            if (question is "passwd/user-password" or "passwd/user-password-again" or "passwd/root-password" or "passwd/root-password-again")
            {
                findings.Add(new(LintCodes.PasswordPlaintext, LintSeverity.Error, line, $"{question} holds a plain-text password.",
                    $"Use {question.Replace("-again", string.Empty, StringComparison.Ordinal)}-crypted with a crypt(3) hash referenced through install.passwordHash."));
            }
            else if (question is "passwd/user-password-crypted" or "passwd/root-password-crypted" && !IsCryptOrLocked(value))
            {
                findings.Add(new(LintCodes.PasswordPlaintext, LintSeverity.Error, line, $"{question} does not hold a crypt(3) hash.",
                    "Reference a hash made with 'openssl passwd -6' through install.passwordHash."));
            }
        }

        if (!partman)
        {
            findings.Add(new(LintCodes.PreseedPartman, LintSeverity.Error, 0, "The preseed does not confirm partitioning (partman/confirm), so the installer stops and asks.",
                "Add 'd-i partman/confirm boolean true' and 'd-i partman/confirm_nooverwrite boolean true'."));
        }

        if (!reboot)
        {
            findings.Add(new(LintCodes.PreseedReboot, LintSeverity.Warning, 0, "The preseed does not skip the 'installation complete' note, so the installer waits before rebooting.",
                "Add 'd-i finish-install/reboot_in_progress note'."));
        }

        return findings;
    }

    // ---------------------------------------------------------------- iPXE commands

    private static void LintCommand(string[] command, int line, List<LintFinding> findings)
    {
        string name = command[0];
        if (FetchCommands.Contains(name, StringComparer.Ordinal) && command.Length > 1 && !command.Any(t => t == "--timeout" || t.StartsWith("--timeout=", StringComparison.Ordinal) || t == "-t"))
        {
            findings.Add(new(LintCodes.IpxeTimeout, LintSeverity.Warning, line, $"'{name}' has no --timeout, so a stalled download can hang the node.",
                "Add '--timeout <milliseconds>' (boot.chainTimeout in the fleet file)."));
        }

        if (name is not ("kernel" or "imgselect" or "imgload" or "chain" or "imgexec" or "boot" or "imgargs"))
        {
            return;
        }

        string[] args = command[1..];
        LintKernelArguments(args, line, findings);
    }

    private static void LintKernelArguments(string[] args, int line, List<LintFinding> findings)
    {
        foreach (string arg in args)
        {
            if (arg.StartsWith('#'))
            {
                findings.Add(new(LintCodes.IpxeComment, LintSeverity.Error, line, $"The argument '{arg}' starts with '#', so iPXE ignores it and everything after it.",
                    "Remove the argument or move the '#' off its first character."));
                break;
            }

            if (arg.StartsWith("ds=nocloud", StringComparison.Ordinal))
            {
                string? seed = arg.Split(';').Skip(1).Select(p => p.StartsWith("s=", StringComparison.Ordinal) ? p[2..] : p.StartsWith("seedfrom=", StringComparison.Ordinal) ? p[9..] : null)
                    .FirstOrDefault(p => p is not null);
                if (seed is not null && !seed.EndsWith('/'))
                {
                    findings.Add(new(LintCodes.NoCloudSlash, LintSeverity.Error, line, $"The NoCloud seed URL '{seed}' does not end with '/'; cloud-init requires the trailing slash and the install falls back to interactive.",
                        $"Write 's={seed}/'."));
                }

                if (!args.Contains("autoinstall", StringComparer.Ordinal))
                {
                    findings.Add(new(LintCodes.AutoinstallKeyword, LintSeverity.Error, line, "A NoCloud seed is given without the 'autoinstall' kernel argument, so Subiquity asks for confirmation before it installs.",
                        "Add 'autoinstall' to the kernel line."));
                }
            }

            if (arg.StartsWith("inst.ks=", StringComparison.Ordinal) && !arg[8..].Contains(':', StringComparison.Ordinal))
            {
                findings.Add(new(LintCodes.KickstartUrl, LintSeverity.Error, line, $"'{arg}' does not name a kickstart location.", "Write inst.ks=http://SERVER/ks/MAC.cfg."));
            }
            else if (arg.StartsWith("ks=", StringComparison.Ordinal))
            {
                findings.Add(new(LintCodes.KickstartUrl, LintSeverity.Error, line, $"'{arg}' uses the 'ks=' spelling, which RHEL 9 no longer reads.", "Write inst.ks= instead."));
            }
        }

        bool auto = args.Contains("auto=true", StringComparer.Ordinal) || args.Contains("auto", StringComparer.Ordinal);
        bool critical = args.Contains("priority=critical", StringComparer.Ordinal);
        bool url = args.Any(a => a.StartsWith("url=", StringComparison.Ordinal) || a.StartsWith("preseed/url=", StringComparison.Ordinal));
        bool preseed = args.Any(a => a.StartsWith("preseed/url=", StringComparison.Ordinal)) || auto || critical;
        if (preseed && !(auto && critical && url))
        {
            findings.Add(new(LintCodes.PreseedAuto, LintSeverity.Error, line, "A preseed boot needs 'auto=true priority=critical url=...' together; without them the installer asks its first questions before reading the preseed.",
                "Put auto=true, priority=critical and url=http://SERVER/preseed/MAC.cfg on the kernel line."));
        }
    }

    private static void LintKickstartPassword(string[] tokens, int line, List<LintFinding> findings)
    {
        bool crypted = tokens.Contains("--iscrypted", StringComparer.Ordinal);
        bool locked = tokens.Contains("--lock", StringComparer.Ordinal);
        string? password = tokens[0] == "rootpw"
            ? tokens.Skip(1).FirstOrDefault(t => !t.StartsWith("--", StringComparison.Ordinal))
            : tokens.FirstOrDefault(t => t.StartsWith("--password=", StringComparison.Ordinal))?["--password=".Length..];
        if (password is not null && !crypted)
        {
            findings.Add(new(LintCodes.PasswordPlaintext, LintSeverity.Error, line, $"'{tokens[0]}' sets a plain-text password.",
                "Use --iscrypted with a crypt(3) hash referenced through install.passwordHash, or --lock."));
        }
        else if (password is not null && !IsCryptOrLocked(password))
        {
            findings.Add(new(LintCodes.PasswordPlaintext, LintSeverity.Error, line, $"'{tokens[0]} --iscrypted' is given something that is not a crypt(3) hash.",
                "Reference a hash made with 'openssl passwd -6' through install.passwordHash."));
        }
        else if (password is null && !locked && tokens[0] == "rootpw")
        {
            findings.Add(new(LintCodes.PasswordPlaintext, LintSeverity.Error, line, "'rootpw' has neither a crypted password nor --lock.", "Write 'rootpw --lock'."));
        }
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>True for a crypt(3) hash (<c>$id$…</c>) or a locked password (<c>!</c>, <c>*</c>).</summary>
    internal static bool IsCryptOrLocked(string? value) => value is "!" or "*" || (value is not null && CryptHash().IsMatch(value));

    private static void CloudConfigHeader(string text, string file, List<LintFinding> findings)
    {
        string first = Lines(text).FirstOrDefault() ?? string.Empty;
        if (first.TrimEnd() != "#cloud-config")
        {
            findings.Add(new(LintCodes.CloudConfigHeader, LintSeverity.Error, 1, $"{file} does not start with the line '#cloud-config', so cloud-init ignores it.",
                "Make '#cloud-config' the very first line."));
        }
    }

    private static YamlMappingNode? ParseMapping(string text, List<LintFinding> findings, bool allowEmpty = false)
    {
        IReadOnlyList<YamlNode> documents;
        try
        {
            documents = YamlDocuments.Parse(text);
        }
        catch (YamlSyntaxException ex)
        {
            findings.Add(new(LintCodes.YamlSyntax, LintSeverity.Error, ex.Start.Line, $"The YAML does not parse: {ex.Message.TrimEnd('.')}.",
                "Fix the indentation or quoting at this line."));
            return null;
        }

        if (documents.Count == 0 || documents[0] is not YamlMappingNode root)
        {
            if (!allowEmpty && documents.Count > 0)
            {
                findings.Add(new(LintCodes.YamlSyntax, LintSeverity.Error, 1, "The YAML is not a mapping of keys.", "Write 'key: value' lines."));
            }

            return null;
        }

        return root;
    }

    private static bool HasSshKeys(YamlMappingNode auto) =>
        Child(auto, "ssh") is YamlMappingNode ssh && Child(ssh, "authorized-keys") is YamlSequenceNode { Children.Count: > 0 };

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.TryGetValue(key, out YamlNode? value) ? value : null;

    private static int LineOf(YamlNode node) => node.Start.Line;

    private static string[] Lines(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');

    private static string[] Tokens(string line) => line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Splits a line's tokens into commands at iPXE's separators (&amp;&amp;, ||, ;) and stops at a '#' token.</summary>
    private static IEnumerable<string[]> Commands(string[] tokens)
    {
        var current = new List<string>();
        foreach (string token in tokens)
        {
            if (token is "&&" or "||" or ";")
            {
                if (current.Count > 0)
                {
                    yield return [.. current];
                }

                current.Clear();
                continue;
            }

            if (token.StartsWith('#') && current.Count > 0 && current[0] is "kernel" or "imgselect" or "imgload" or "chain" or "imgexec" or "boot" or "imgargs")
            {
                // iPXE stops reading the command here: everything after is a comment.
                yield return [.. current, token];
                yield break;
            }

            current.Add(token);
        }

        if (current.Count > 0)
        {
            yield return [.. current];
        }
    }

    private static bool Unclosed(string line)
    {
        int depth = 0;
        for (int i = 0; i < line.Length; i++)
        {
            if (line[i] == '$' && i + 1 < line.Length && line[i + 1] == '{')
            {
                depth++;
                i++;
            }
            else if (line[i] == '}' && depth > 0)
            {
                depth--;
            }
        }

        return depth > 0;
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";

    [GeneratedRegex(@"^\$(1|2[abxy]?|5|6|y|gy|7|sha1|md5)\$[./0-9A-Za-z$=,]+$")]
    private static partial Regex CryptHash();
}
