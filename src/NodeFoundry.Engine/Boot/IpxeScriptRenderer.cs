using System.Globalization;
using System.Text;
using NodeFoundry.Fleet;

namespace NodeFoundry.Boot;

/// <summary>
/// Renders iPXE scripts (https://ipxe.org/scripting). Every script starts with <c>#!ipxe</c>, prints who it is for
/// with iPXE's <c>${mac}</c>, <c>${uuid}</c>, <c>${platform}</c> and <c>${buildarch}</c>, and wraps its downloads in a
/// bounded retry loop: each <c>kernel</c>/<c>initrd</c>/<c>chain</c> has a download progress timeout
/// (<c>--timeout</c>, in milliseconds, so a port still in spanning-tree listening state fails over to the next try),
/// and after the last attempt the script waits and reboots. On UEFI the kernel line names the initrd
/// (<c>initrd=initrd</c>), which 2019-era iPXE needs to hand the initrd to an EFI-stub kernel.
/// Output uses '\n' line ends and is deterministic.
/// </summary>
public static class IpxeScriptRenderer
{
    /// <summary>Seconds a failed attempt waits before the next.</summary>
    public const int RetryDelaySeconds = 5;

    /// <summary>Seconds the script waits after the last failed attempt before it reboots.</summary>
    public const int GiveUpDelaySeconds = 60;

    /// <summary>Renders the script; throws <see cref="ArgumentException"/> when the request lacks what its kind needs.</summary>
    public static string Render(BootScriptRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Check(request);
        var s = new ScriptBuilder();
        s.Line("#!ipxe");
        s.Line($"# NodeFoundry {KindName(request.Kind)} script for {Who(request)}{(request.ProfileName is null ? string.Empty : $", profile {request.ProfileName}")}.");
        s.Line("# Rendered by NodeFoundry: change the fleet file and render again rather than editing this file.");
        s.Line();
        s.Line($"echo NodeFoundry: {request.NodeName ?? "node"} mac ${{mac}} uuid ${{uuid}} on ${{platform}}/${{buildarch}}");

        if (request.Kind == BootScriptKind.ExitToDisk)
        {
            s.Line("echo NodeFoundry: booting from the local disk");
            s.Line("# BIOS: boot the first hard disk. UEFI (or if that fails): leave iPXE so the firmware tries its next boot option.");
            s.Line("iseq ${platform} pcbios && sanboot --no-describe --drive 0x80 ||");
            s.Line("exit");
            return s.ToString();
        }

        if (request.Arch is not null && BootScriptKinds.LoadsKernel(request.Kind))
        {
            ArchGuard(s, request.Arch);
        }

        bool hasInitrd = request.InitrdUrl is not null && BootScriptKinds.LoadsKernel(request.Kind);
        if (hasInitrd)
        {
            s.Line("# UEFI: name the initrd on the kernel line (initrd=<name>); 2019-era iPXE needs it for EFI-stub kernels.");
            s.Line("iseq ${platform} efi && set nf_initrd initrd=initrd ||");
        }

        string attempts = request.Attempts.ToString(CultureInfo.InvariantCulture);
        string timeout = TimeoutMilliseconds(request.Timeout).ToString(CultureInfo.InvariantCulture);
        s.Line("set nf_try:int32 0");
        s.Line();
        s.Line(":nf_try");
        s.Line($"iseq ${{nf_try}} {attempts} && goto nf_give_up ||");
        s.Line("inc nf_try");
        s.Line($"echo NodeFoundry: attempt ${{nf_try}} of {attempts}");
        s.Line("imgfree");
        switch (request.Kind)
        {
            case BootScriptKind.Chain:
                s.Line($"chain --autofree --timeout {timeout} {request.TargetUrl} || goto nf_retry");
                break;
            case BootScriptKind.Sanboot:
                s.Line($"sanboot {request.TargetUrl} || goto nf_retry");
                break;
            default:
                string args = KernelArguments(request);
                s.Line($"kernel --name kernel --timeout {timeout} {request.KernelUrl}{(hasInitrd ? " ${nf_initrd}" : string.Empty)}{(args.Length == 0 ? string.Empty : " " + args)} || goto nf_retry");
                if (hasInitrd)
                {
                    s.Line($"initrd --name initrd --timeout {timeout} {request.InitrdUrl} || goto nf_retry");
                }

                s.Line("boot || goto nf_retry");
                break;
        }

        s.Line();
        s.Line(":nf_retry");
        s.Line($"echo NodeFoundry: attempt ${{nf_try}} of {attempts} failed, retrying in {RetryDelaySeconds} seconds");
        s.Line($"sleep {RetryDelaySeconds}");
        s.Line("goto nf_try");
        s.Line();
        s.Line(":nf_give_up");
        s.Line($"echo NodeFoundry: no boot after {attempts} attempts, rebooting in {GiveUpDelaySeconds} seconds");
        s.Line($"sleep {GiveUpDelaySeconds}");
        s.Line("reboot");
        return s.ToString();
    }

    /// <summary>
    /// The kernel command line after the kernel URL (without the UEFI <c>initrd=</c>): the installer's own arguments
    /// (answer file, install source), then <see cref="BootScriptRequest.Cmdline"/>, then the serial console.
    /// </summary>
    public static string KernelArguments(BootScriptRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var args = new List<string>();
        string[] extra = (request.Cmdline ?? string.Empty).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        string? answer = AnswerUrl(request);
        switch (request.Kind)
        {
            case BootScriptKind.Ubuntu:
                if (!extra.Any(a => a.StartsWith("ip=", StringComparison.Ordinal)))
                {
                    args.Add("ip=dhcp");
                }

                if (request.RepoUrl is not null)
                {
                    args.Add("url=" + request.RepoUrl);
                }

                args.Add("autoinstall");
                args.Add("ds=nocloud-net;s=" + answer);
                break;
            case BootScriptKind.Rhel:
                args.Add("inst.ks=" + answer);
                if (request.RepoUrl is not null)
                {
                    args.Add("inst.repo=" + request.RepoUrl);
                }

                break;
            case BootScriptKind.Debian:
                args.Add("auto=true");
                args.Add("priority=critical");
                args.Add("url=" + answer);
                if (request.HostName is not null)
                {
                    args.Add("hostname=" + FirstLabel(request.HostName));
                }

                if ((request.Domain ?? DomainOf(request.HostName)) is string domain)
                {
                    args.Add("domain=" + domain);
                }

                break;
        }

        args.AddRange(extra);
        if (request.SerialConsole is not null)
        {
            args.Add("console=tty0");
            args.Add("console=" + request.SerialConsole);
        }

        return string.Join(' ', args);
    }

    /// <summary>The answer-file URL the installer is pointed at, or null for kinds without one.</summary>
    public static string? AnswerUrl(BootScriptRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!BootScriptKinds.IsInstaller(request.Kind))
        {
            return null;
        }

        if (request.AnswerUrl is not null || request.HttpBaseUrl is null)
        {
            return request.AnswerUrl;
        }

        string mac = request.MacAddress is null ? "${mac}" : MacAddressText.Format(request.MacAddress);
        string route = request.Kind switch
        {
            BootScriptKind.Ubuntu => BootRoutes.NoCloudSeed(mac),
            BootScriptKind.Rhel => BootRoutes.Kickstart(mac),
            _ => BootRoutes.Preseed(mac),
        };
        return BootRoutes.Absolute(request.HttpBaseUrl, route);
    }

    /// <summary>The lower-case kind name used in comments and by the cmdlets (<c>ubuntu</c>, <c>exit-to-disk</c>, …).</summary>
    public static string KindName(BootScriptKind kind) => kind switch
    {
        BootScriptKind.ExitToDisk => "exit-to-disk",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static void ArchGuard(ScriptBuilder s, string arch)
    {
        s.Line($"# The kernel is built for {arch}; refuse to boot it anywhere else rather than fail obscurely.");
        if (arch == "x86_64")
        {
            // undionly.kpxe is an i386 build of iPXE that boots x86_64 kernels fine.
            s.Line("iseq ${buildarch} x86_64 && goto nf_arch_ok ||");
            s.Line("iseq ${buildarch} i386 && goto nf_arch_ok ||");
        }
        else
        {
            s.Line($"iseq ${{buildarch}} {arch} && goto nf_arch_ok ||");
        }

        s.Line($"echo NodeFoundry: this profile boots an {arch} kernel but iPXE runs as ${{buildarch}}");
        s.Line("goto nf_give_up");
        s.Line(":nf_arch_ok");
    }

    private static void Check(BootScriptRequest r)
    {
        if (r.Attempts is < 1 or > 100)
        {
            throw new ArgumentException($"Attempts must be from 1 to 100, not {r.Attempts}.", nameof(r));
        }

        if (r.Timeout < TimeSpan.FromMilliseconds(1) || r.Timeout > TimeSpan.FromHours(1))
        {
            throw new ArgumentException($"The fetch timeout must be from 1 ms to 1 hour, not {r.Timeout}.", nameof(r));
        }

        if (BootScriptKinds.LoadsKernel(r.Kind) && string.IsNullOrWhiteSpace(r.KernelUrl))
        {
            throw new ArgumentException($"A {KindName(r.Kind)} script needs a kernel URL.", nameof(r));
        }

        if (BootScriptKinds.IsInstaller(r.Kind))
        {
            if (string.IsNullOrWhiteSpace(r.InitrdUrl))
            {
                throw new ArgumentException($"A {KindName(r.Kind)} script needs an initrd URL.", nameof(r));
            }

            if (AnswerUrl(r) is null)
            {
                throw new ArgumentException($"A {KindName(r.Kind)} script needs an answer-file URL, or the HTTP base URL to derive it from.", nameof(r));
            }
        }

        if (r.Kind is BootScriptKind.Chain or BootScriptKind.Sanboot && string.IsNullOrWhiteSpace(r.TargetUrl))
        {
            throw new ArgumentException($"A {KindName(r.Kind)} script needs a target URL.", nameof(r));
        }

        foreach (string? value in new[] { r.KernelUrl, r.InitrdUrl, r.TargetUrl, r.RepoUrl, r.AnswerUrl, r.Cmdline, r.SerialConsole, r.NodeName, r.ProfileName })
        {
            if (value is not null && value.IndexOfAny(['\r', '\n']) >= 0)
            {
                throw new ArgumentException("Script values must not contain line breaks.", nameof(r));
            }
        }

        foreach (string? url in new[] { r.KernelUrl, r.InitrdUrl, r.TargetUrl, r.RepoUrl, r.AnswerUrl })
        {
            if (url is not null && url.IndexOfAny([' ', '\t']) >= 0)
            {
                throw new ArgumentException($"The URL '{url}' contains whitespace; iPXE would split it into two arguments.", nameof(r));
            }
        }
    }

    private static long TimeoutMilliseconds(TimeSpan timeout) => (long)Math.Ceiling(timeout.TotalMilliseconds);

    private static string Who(BootScriptRequest r) =>
        (r.NodeName, r.MacAddress) switch
        {
            (string name, not null) => $"{name} ({MacAddressText.Format(r.MacAddress)})",
            (string name, null) => name,
            (null, not null) => MacAddressText.Format(r.MacAddress),
            _ => "any node",
        };

    private static string FirstLabel(string hostName) => hostName.Split('.')[0];

    private static string? DomainOf(string? hostName)
    {
        int dot = hostName?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        return dot > 0 ? hostName![(dot + 1)..] : null;
    }

    private sealed class ScriptBuilder
    {
        private readonly StringBuilder _text = new();

        public void Line(string line = "") => _text.Append(line).Append('\n');

        public override string ToString() => _text.ToString();
    }
}
