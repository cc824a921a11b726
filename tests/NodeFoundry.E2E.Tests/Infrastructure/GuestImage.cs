using System.IO.Compression;
using System.Text;

namespace NodeFoundry.Tests.Infrastructure;

/// <summary>
/// What the VMs boot: Debian's <c>linux-image-amd64</c> kernel (fetched and unpacked by <c>.ci/run</c>, never installed)
/// and a busybox initramfs built here whose <c>/init</c> loads the NIC modules from that kernel package, takes a DHCP
/// lease with udhcpc, fetches the phone-home URL from its kernel command line (<c>nf.phonehome=…</c>, the MAC appended)
/// and powers off. A finished boot is therefore visible to the server as <c>Installed</c>, and QEMU exits.
/// </summary>
public sealed class GuestImage
{
    /// <summary>Where <c>.ci/run</c> unpacks the kernel package (a symlink to the versioned folder).</summary>
    public const string DefaultKernelRoot = "/var/cache/nodefoundry-e2e/kernel";

    /// <summary>
    /// NIC drivers the VMs need, loaded with their dependencies first: e1000 (BIOS VM) and virtio-net over
    /// virtio-pci (UEFI VMs) — virtio_ring, virtio, failover, net_failover, virtio_net, and virtio_pci's own helpers.
    /// </summary>
    public static readonly IReadOnlyList<string> NicModules = ["e1000", "virtio_net", "virtio_pci"];

    private GuestImage(string kernelPath, string kernelRelease, byte[] initramfs, IReadOnlyList<string> modules)
    {
        KernelPath = kernelPath;
        KernelRelease = kernelRelease;
        Initramfs = initramfs;
        Modules = modules;
    }

    public string KernelPath { get; }

    public string KernelRelease { get; }

    /// <summary>The gzip-compressed newc cpio archive.</summary>
    public byte[] Initramfs { get; }

    /// <summary>The modules /init loads, in load order.</summary>
    public IReadOnlyList<string> Modules { get; }

    /// <summary>Finds the unpacked kernel package and builds the initramfs; fails with the fix when the kernel is missing.</summary>
    public static GuestImage Build()
    {
        var root = Environment.GetEnvironmentVariable("NF_E2E_KERNEL_ROOT") is { Length: > 0 } custom ? custom : DefaultKernelRoot;
        var kernel = System.IO.Directory.Exists(Path.Combine(root, "boot"))
            ? System.IO.Directory.GetFiles(Path.Combine(root, "boot"), "vmlinuz-*").OrderBy(p => p, StringComparer.Ordinal).LastOrDefault()
            : null;
        if (kernel is null)
        {
            throw new InvalidOperationException(
                $"No kernel under {root}/boot. `.ci/run` fetches it; by hand: pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{{print $2; exit}}'); "
                + $"cd /var/cache/nodefoundry-e2e && apt-get download $pkg && dpkg -x $pkg_*.deb $pkg && ln -sfn $pkg kernel");
        }

        var release = Path.GetFileName(kernel)["vmlinuz-".Length..];
        var moduleRoot = Path.Combine(root, "lib", "modules", release, "kernel");
        var index = System.IO.Directory.EnumerateFiles(moduleRoot, "*.ko", SearchOption.AllDirectories)
            .GroupBy(p => Path.GetFileNameWithoutExtension(p).Replace('-', '_'), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var module in NicModules)
        {
            AddWithDependencies(module, index, order, depth: 0);
        }

        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            var cpio = new CpioNewcWriter(gzip);
            foreach (var dir in new[] { "bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "tmp", "lib/modules" })
            {
                cpio.Directory(dir);
            }

            cpio.CharacterDevice("dev/console", 5, 1);
            cpio.CharacterDevice("dev/null", 1, 3);
            var busybox = Requirements.RequireTool("busybox", "busybox");
            cpio.File("bin/busybox", File.ReadAllBytes(busybox), executable: true);
            foreach (var library in SharedLibraries(busybox))
            {
                cpio.File(library.TrimStart('/'), File.ReadAllBytes(library), executable: true);
            }

            foreach (var module in order)
            {
                cpio.File($"lib/modules/{module}.ko", File.ReadAllBytes(index[module]));
            }

            cpio.File("init", Encoding.ASCII.GetBytes(InitScript(order)), executable: true);
            cpio.File("etc/udhcpc.script", Encoding.ASCII.GetBytes(UdhcpcScript), executable: true);
            cpio.Finish();
        }

        return new GuestImage(kernel, release, buffer.ToArray(), order);
    }

    /// <summary>The kernel arguments /init reads: where to phone home (the MAC is appended).</summary>
    public static string PhoneHomeArgument(string httpBaseUrl) => $"nf.phonehome={httpBaseUrl.TrimEnd('/')}/phone-home/";

    private static void AddWithDependencies(string module, Dictionary<string, string> index, List<string> order, int depth)
    {
        if (depth > 16)
        {
            throw new InvalidOperationException($"module dependencies of {module} are nested too deeply");
        }

        if (order.Contains(module))
        {
            return;
        }

        if (!index.TryGetValue(module, out var path))
        {
            throw new InvalidOperationException($"module {module} is not in the kernel package (is it built in, or compressed as .ko.xz?)");
        }

        foreach (var dependency in Depends(path))
        {
            AddWithDependencies(dependency, index, order, depth + 1);
        }

        order.Add(module);
    }

    /// <summary>The <c>depends=</c> entry of a module's .modinfo section (what depmod reads), without modinfo installed.</summary>
    private static IEnumerable<string> Depends(string modulePath)
    {
        var bytes = File.ReadAllBytes(modulePath);
        var key = "\0depends="u8;
        var at = bytes.AsSpan().IndexOf(key);
        if (at < 0)
        {
            return [];
        }

        var start = at + key.Length;
        var end = Array.IndexOf(bytes, (byte)0, start);
        return Encoding.ASCII.GetString(bytes, start, end - start).Split(',', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The shared objects a dynamic busybox needs (Debian's is dynamic), from ldd, at the paths ldd names.</summary>
    private static IEnumerable<string> SharedLibraries(string binary)
    {
        var (exit, output, error) = LabProcess.Run("ldd", [binary], TimeSpan.FromSeconds(20));
        if (exit != 0)
        {
            // "not a dynamic executable": a static busybox needs nothing.
            return output.Contains("not a dynamic", StringComparison.Ordinal) || error.Contains("not a dynamic", StringComparison.Ordinal)
                ? []
                : throw new InvalidOperationException($"ldd {binary} failed: {error}");
        }

        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Contains("=>", StringComparison.Ordinal) ? line[(line.IndexOf("=>", StringComparison.Ordinal) + 2)..].Trim() : line)
            .Select(rest => rest.Split(' ')[0])
            .Where(path => path.StartsWith('/'))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    private static string InitScript(IReadOnlyList<string> modules) => $$"""
        #!/bin/busybox sh
        # NodeFoundry e2e guest: NIC modules, DHCP, phone home, power off. Every wait is bounded.
        /bin/busybox --install -s
        export PATH=/bin:/sbin:/usr/bin:/usr/sbin
        mount -t proc proc /proc
        mount -t sysfs sysfs /sys
        mount -t devtmpfs devtmpfs /dev 2>/dev/null
        log() { echo "nf-e2e: $*"; }
        log "init started on $(uname -r)"
        for m in {{string.Join(' ', modules)}}; do
          insmod /lib/modules/$m.ko && log "loaded $m" || log "insmod $m failed"
        done
        url=""
        for a in $(cat /proc/cmdline); do
          case "$a" in nf.phonehome=*) url="${a#nf.phonehome=}" ;; esac
        done
        iface=""
        i=0
        while [ -z "$iface" ] && [ $i -lt 30 ]; do
          for n in /sys/class/net/*; do
            n=${n##*/}
            if [ "$n" != lo ]; then iface=$n; break; fi
          done
          [ -z "$iface" ] && sleep 1
          i=$((i+1))
        done
        if [ -z "$iface" ]; then log "no network interface"; poweroff -f; fi
        mac=$(cat /sys/class/net/$iface/address)
        log "interface $iface mac $mac"
        ip link set lo up
        ip link set "$iface" up
        if udhcpc -i "$iface" -n -q -t 10 -T 2 -s /etc/udhcpc.script; then
          for try in 1 2 3 4 5; do
            # (busybox 1.35 wget segfaults with -T: bound it with timeout instead)
            if timeout 20 wget -q -O /dev/null "$url$mac"; then log "phoned home: $url$mac"; break; fi
            log "phone-home attempt $try failed"
            sleep 2
          done
        else
          log "no DHCP lease"
        fi
        log "powering off"
        poweroff -f

        """;

    private const string UdhcpcScript = """
        #!/bin/sh
        case "$1" in
          bound|renew) ifconfig "$interface" "$ip" netmask "${subnet:-255.255.255.0}" up; echo "nf-e2e: lease $ip on $interface" ;;
          deconfig) ifconfig "$interface" 0.0.0.0 up ;;
        esac

        """;
}
