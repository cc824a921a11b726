namespace NodeFoundry.BootPath;

/// <summary>
/// The answer files a kernel command line points at, checked as the installer would fetch them (seed
/// reference, "Unattended OS install" and "Failure modes"): NoCloud <c>ds=nocloud-net;s=…/</c> (trailing
/// slash, user-data <c>#cloud-config</c> with <c>autoinstall:</c>, meta-data with <c>instance-id</c>),
/// kickstart <c>inst.ks=</c>, Debian preseed <c>url=</c> with <c>auto=true priority=critical</c>.
/// </summary>
internal sealed class AnswerFileChecks(BootPathHttp http)
{
    private const string InstallerAgent = "curl/8 (NodeFoundry Test-NfBootPath, as an installer)";

    public async Task<List<BootPathCheck>> CheckAsync(IReadOnlyList<string> kernelArguments, CancellationToken cancel)
    {
        // iPXE scripts may quote an argument ("ds=nocloud-net;s=…/"); the kernel sees it without the quotes.
        var arguments = kernelArguments.Select(a => a.Trim('"', '\'')).ToList();
        var checks = new List<BootPathCheck>();
        foreach (var seed in arguments.Where(a => a.StartsWith("ds=nocloud", StringComparison.Ordinal)))
        {
            await NoCloudAsync(seed, arguments.Contains("autoinstall"), checks, cancel).ConfigureAwait(false);
        }

        if (Value(arguments, "inst.ks=") is { } ks && IsHttp(ks))
        {
            var got = await http.GetAsync(new Uri(ks), InstallerAgent, cancel).ConfigureAwait(false);
            checks.Add(got.Status == 200 && got.Body.Length > 0
                ? BootPathCheck.Pass(BootPathStage.AnswerFile, "kickstart (inst.ks=)", $"{ks}: {got.Describe()}", got.Duration)
                : BootPathCheck.Fail(BootPathStage.AnswerFile, "kickstart (inst.ks=)", BootPathCause.KickstartNotFound, $"{ks}: {(got.Status == 200 ? "empty" : got.Describe())}", got.Duration));
        }

        var auto = arguments.Any(a => a is "auto=true" or "auto" or "auto-install/enable=true");
        var critical = arguments.Contains("priority=critical");
        var preseed = Value(arguments, "preseed/url=") ?? (auto || critical ? Value(arguments, "url=") : null);
        if (preseed is not null && IsHttp(preseed))
        {
            var got = await http.GetAsync(new Uri(preseed), InstallerAgent, cancel).ConfigureAwait(false);
            checks.Add(got.Status == 200 && got.Body.Length > 0
                ? BootPathCheck.Pass(BootPathStage.AnswerFile, "preseed (url=)", $"{preseed}: {got.Describe()}", got.Duration)
                : BootPathCheck.Fail(BootPathStage.AnswerFile, "preseed (url=)", BootPathCause.PreseedNotFound, $"{preseed}: {(got.Status == 200 ? "empty" : got.Describe())}", got.Duration));
            checks.Add(auto && critical
                ? BootPathCheck.Pass(BootPathStage.AnswerFile, "preseed (auto)", "auto=true priority=critical on the kernel line")
                : BootPathCheck.Fail(BootPathStage.AnswerFile, "preseed (auto)", BootPathCause.PreseedNotAutomatic, $"the kernel line has{(auto ? string.Empty : " no auto=true")}{(critical ? string.Empty : " no priority=critical")}"));
        }

        return checks;
    }

    private async Task NoCloudAsync(string argument, bool autoinstall, List<BootPathCheck> checks, CancellationToken cancel)
    {
        // ds=nocloud-net;s=http://server/path/ (also seedfrom=); iPXE scripts may quote the argument.
        var seed = argument.Split(';')
            .FirstOrDefault(p => p.StartsWith("s=", StringComparison.Ordinal) || p.StartsWith("seedfrom=", StringComparison.Ordinal));
        if (seed is null)
        {
            return; // a local seed (ds=nocloud alone): nothing to fetch
        }

        var url = seed[(seed.IndexOf('=', StringComparison.Ordinal) + 1)..];
        if (!IsHttp(url))
        {
            return;
        }

        if (!url.EndsWith('/'))
        {
            checks.Add(BootPathCheck.Fail(BootPathStage.AnswerFile, "NoCloud seed (s=)", BootPathCause.SeedUrlNoTrailingSlash, $"'{url}': cloud-init requires the seed URL to end with /"));
            return;
        }

        checks.Add(BootPathCheck.Pass(BootPathStage.AnswerFile, "NoCloud seed (s=)", url));
        var userData = await http.GetAsync(new Uri(url + "user-data"), InstallerAgent, cancel).ConfigureAwait(false);
        var text = userData.Text;
        if (userData.Status != 200)
        {
            checks.Add(BootPathCheck.Fail(BootPathStage.AnswerFile, "NoCloud user-data", BootPathCause.UserDataNotFound, $"{url}user-data: {userData.Describe()}; the installer drops to interactive mode", userData.Duration));
        }
        else if (!text.StartsWith("#cloud-config", StringComparison.Ordinal) || (autoinstall && !HasKey(text, "autoinstall:")))
        {
            checks.Add(BootPathCheck.Fail(BootPathStage.AnswerFile, "NoCloud user-data", BootPathCause.UserDataMalformed,
                $"{url}user-data {(text.StartsWith("#cloud-config", StringComparison.Ordinal) ? "has no top-level autoinstall: key, and the kernel line asks for autoinstall" : "does not start with #cloud-config")}", userData.Duration));
        }
        else
        {
            checks.Add(BootPathCheck.Pass(BootPathStage.AnswerFile, "NoCloud user-data", $"{url}user-data: {userData.Describe()}, #cloud-config{(autoinstall ? " with autoinstall:" : string.Empty)}", userData.Duration));
        }

        var metaData = await http.GetAsync(new Uri(url + "meta-data"), InstallerAgent, cancel).ConfigureAwait(false);
        checks.Add(metaData.Status != 200
            ? BootPathCheck.Fail(BootPathStage.AnswerFile, "NoCloud meta-data", BootPathCause.MetaDataNotFound, $"{url}meta-data: {metaData.Describe()}", metaData.Duration)
            : !metaData.Text.Contains("instance-id", StringComparison.Ordinal)
                ? BootPathCheck.Fail(BootPathStage.AnswerFile, "NoCloud meta-data", BootPathCause.MetaDataNoInstanceId, $"{url}meta-data has no instance-id, which cloud-init requires", metaData.Duration)
                : BootPathCheck.Pass(BootPathStage.AnswerFile, "NoCloud meta-data", $"{url}meta-data: {metaData.Describe()}, instance-id present", metaData.Duration));
    }

    private static bool HasKey(string yaml, string key) =>
        yaml.Split('\n').Any(line => line.TrimEnd('\r').StartsWith(key, StringComparison.Ordinal));

    private static string? Value(IReadOnlyList<string> arguments, string prefix) =>
        arguments.FirstOrDefault(a => a.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];

    private static bool IsHttp(string url) => BootPathDhcpChecks.IsHttpUrl(url) && Uri.TryCreate(url, UriKind.Absolute, out _);
}
