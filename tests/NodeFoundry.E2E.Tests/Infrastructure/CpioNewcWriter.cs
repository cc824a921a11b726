using System.Globalization;
using System.Text;

namespace NodeFoundry.Tests.Infrastructure;

/// <summary>
/// Writes a cpio archive in the "newc" format (magic 070701), the one the Linux kernel unpacks as an initramfs:
/// per entry a 110-byte ASCII header of 13 eight-digit hex fields, the NUL-terminated name padded to 4 bytes,
/// the data padded to 4 bytes; the archive ends with an entry named <c>TRAILER!!!</c>.
/// </summary>
public sealed class CpioNewcWriter
{
    private const int ModeCharacter = 0x2000;
    private const int ModeDirectory = 0x4000;
    private const int ModeRegular = 0x8000;
    private const int ModeSymlink = 0xA000;
    private readonly Stream _output;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _inode = 1;

    public CpioNewcWriter(Stream output)
    {
        _output = output;
    }

    /// <summary>Adds a directory and its missing parents (names without a leading slash, e.g. <c>lib/modules</c>).</summary>
    public void Directory(string name)
    {
        var path = string.Empty;
        foreach (var part in name.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            path = path.Length == 0 ? part : path + "/" + part;
            if (_names.Add(path))
            {
                Entry(path, ModeDirectory | 0x1ed, []); // 0755
            }
        }
    }

    public void File(string name, byte[] content, bool executable = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(content);
        Parent(name);
        if (!_names.Add(name.Trim('/')))
        {
            throw new InvalidOperationException($"{name} is already in the archive");
        }

        Entry(name.Trim('/'), ModeRegular | (executable ? 0x1ed : 0x1a4), content); // 0755 or 0644
    }

    public void Symlink(string name, string target)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(target);
        Parent(name);
        if (_names.Add(name.Trim('/')))
        {
            Entry(name.Trim('/'), ModeSymlink | 0x1ff, Encoding.UTF8.GetBytes(target));
        }
    }

    /// <summary>A character device node such as <c>dev/console</c> (5, 1), so init has a console before devtmpfs is mounted.</summary>
    public void CharacterDevice(string name, int major, int minor)
    {
        ArgumentNullException.ThrowIfNull(name);
        Parent(name);
        if (_names.Add(name.Trim('/')))
        {
            Entry(name.Trim('/'), ModeCharacter | 0x180, [], rdev: (major, minor)); // 0600
        }
    }

    /// <summary>Writes the trailer; the stream then holds a complete archive.</summary>
    public void Finish() => Entry("TRAILER!!!", 0, [], inode: 0);

    private void Parent(string name)
    {
        var slash = name.Trim('/').LastIndexOf('/');
        if (slash > 0)
        {
            Directory(name.Trim('/')[..slash]);
        }
    }

    private void Entry(string name, int mode, byte[] data, int? inode = null, (int Major, int Minor) rdev = default)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name + "\0");
        var header = new StringBuilder("070701", 110);
        foreach (var field in new[]
        {
            inode ?? _inode++, // c_ino
            mode,              // c_mode
            0,                 // c_uid
            0,                 // c_gid
            (mode & 0xF000) == ModeDirectory ? 2 : 1, // c_nlink
            0,                 // c_mtime
            data.Length,       // c_filesize
            0, 0,              // c_devmajor, c_devminor
            rdev.Major,        // c_rdevmajor
            rdev.Minor,        // c_rdevminor
            nameBytes.Length,  // c_namesize (with the NUL)
            0,                 // c_check
        })
        {
            header.Append(field.ToString("x8", CultureInfo.InvariantCulture));
        }

        var headerBytes = Encoding.ASCII.GetBytes(header.ToString());
        _output.Write(headerBytes);
        _output.Write(nameBytes);
        Pad(headerBytes.Length + nameBytes.Length);
        _output.Write(data);
        Pad(data.Length);
    }

    private void Pad(int length)
    {
        var pad = (4 - (length % 4)) % 4;
        for (var i = 0; i < pad; i++)
        {
            _output.WriteByte(0);
        }
    }
}
