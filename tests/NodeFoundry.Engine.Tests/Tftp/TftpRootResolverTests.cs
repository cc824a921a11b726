using NodeFoundry.Tftp;

namespace NodeFoundry.Tests.Tftp;

/// <summary>The confinement matrix: each way out of the root refused in its own test, and the ways in that must work.</summary>
public sealed class TftpRootResolverTests : IDisposable
{
    private readonly string _parent;
    private readonly string _root;
    private readonly TftpRootResolver _resolver;

    public TftpRootResolverTests()
    {
        // <parent>/tftp is the root; <parent>/tftp-private is a prefix sibling; <parent>/secret is outside.
        _parent = Path.Combine(Path.GetTempPath(), "nf-confine-" + Guid.NewGuid().ToString("N"));
        _root = Path.Combine(_parent, "tftp");
        Directory.CreateDirectory(Path.Combine(_root, "efi"));
        Directory.CreateDirectory(Path.Combine(_parent, "tftp-private"));
        File.WriteAllText(Path.Combine(_root, "undionly.kpxe"), "nbp");
        File.WriteAllText(Path.Combine(_root, "efi", "snponly.efi"), "nbp");
        File.WriteAllText(Path.Combine(_parent, "tftp-private", "key"), "secret");
        File.WriteAllText(Path.Combine(_parent, "secret"), "secret");
        _resolver = new TftpRootResolver(_root);
    }

    public void Dispose() => Directory.Delete(_parent, recursive: true);

    private TftpPathRefusal Refusal(string name)
    {
        Assert.False(_resolver.TryResolve(name, out var path, out var refusal), $"'{name}' resolved to {path}");
        return refusal;
    }

    [Fact]
    public void Plain_name_resolves() => Assert.True(_resolver.TryResolve("undionly.kpxe", out _, out _));

    [Fact]
    public void Nested_name_resolves()
    {
        Assert.True(_resolver.TryResolve("efi/snponly.efi", out var path, out _));
        Assert.Equal(Path.Combine(_resolver.Root, "efi", "snponly.efi"), path);
    }

    [Fact]
    public void One_leading_slash_is_relative_to_the_root() => Assert.True(_resolver.TryResolve("/undionly.kpxe", out _, out _));

    [Fact]
    public void Two_leading_slashes_are_refused() => Assert.Equal(TftpPathRefusal.AbsolutePath, Refusal("//undionly.kpxe"));

    [Fact]
    public void Dot_dot_is_refused() => Assert.Equal(TftpPathRefusal.BadComponent, Refusal("../secret"));

    [Fact]
    public void Dot_dot_in_the_middle_is_refused() => Assert.Equal(TftpPathRefusal.BadComponent, Refusal("efi/../../secret"));

    [Fact]
    public void Dot_dot_back_into_the_root_is_refused_too() => Assert.Equal(TftpPathRefusal.BadComponent, Refusal("efi/../undionly.kpxe"));

    [Fact]
    public void Single_dot_component_is_refused() => Assert.Equal(TftpPathRefusal.BadComponent, Refusal("./undionly.kpxe"));

    [Fact]
    public void Absolute_path_into_the_host_is_not_an_escape()
    {
        // "/etc/passwd" means <root>/etc/passwd, which does not exist: not found, never the host's file.
        Assert.Equal(TftpPathRefusal.NotFound, Refusal("/etc/passwd"));
        Assert.Equal(TftpPathRefusal.NotFound, Refusal(Path.Combine(_parent, "secret").TrimStart('/')));
    }

    [Fact]
    public void Absolute_path_of_a_file_inside_the_root_is_not_honoured() =>
        Assert.Equal(TftpPathRefusal.AbsolutePath, Refusal("/" + Path.Combine(_root, "undionly.kpxe")));

    [Fact]
    public void Backslash_is_refused() => Assert.Equal(TftpPathRefusal.Backslash, Refusal("efi\\snponly.efi"));

    [Fact]
    public void Backslash_dot_dot_is_refused() => Assert.Equal(TftpPathRefusal.Backslash, Refusal("..\\secret"));

    [Fact]
    public void Percent_encoded_dot_dot_is_refused() => Assert.Equal(TftpPathRefusal.PercentEncoding, Refusal("%2e%2e/secret"));

    [Fact]
    public void Percent_encoded_slash_is_refused() => Assert.Equal(TftpPathRefusal.PercentEncoding, Refusal("..%2fsecret"));

    [Fact]
    public void Overlong_utf8_dot_is_refused() => Assert.Equal(TftpPathRefusal.BadCharacter, Refusal("\u00c0\u00ae\u00c0\u00ae/secret"));

    [Fact]
    public void Nul_is_refused() => Assert.Equal(TftpPathRefusal.BadCharacter, Refusal("undionly.kpxe\0.txt"));

    [Fact]
    public void Control_character_is_refused() => Assert.Equal(TftpPathRefusal.BadCharacter, Refusal("undionly\n.kpxe"));

    [Fact]
    public void Drive_letter_is_refused() => Assert.Equal(TftpPathRefusal.BadCharacter, Refusal("C:/Windows/win.ini"));

    [Fact]
    public void Trailing_dot_is_refused() => Assert.Equal(TftpPathRefusal.BadComponent, Refusal("undionly.kpxe."));

    [Theory]
    [InlineData("NUL")]
    [InlineData("efi/con.efi")]
    [InlineData("COM1")]
    [InlineData("lpt9.txt")]
    public void Windows_device_names_are_refused(string name) => Assert.Equal(TftpPathRefusal.BadComponent, Refusal(name));

    [Fact]
    public void Empty_component_is_refused() => Assert.Equal(TftpPathRefusal.BadComponent, Refusal("efi//snponly.efi"));

    [Fact]
    public void Empty_name_is_refused() => Assert.Equal(TftpPathRefusal.Empty, Refusal(string.Empty));

    [Fact]
    public void Overlong_name_is_refused() => Assert.Equal(TftpPathRefusal.TooLong, Refusal(new string('a', TftpRootResolver.MaxNameLength + 1)));

    [Fact]
    public void Directory_is_not_a_file() => Assert.Equal(TftpPathRefusal.NotAFile, Refusal("efi"));

    [Fact]
    public void Prefix_sibling_via_symlink_is_refused()
    {
        // <root>/p -> <parent>/tftp-private: "starts with /…/tftp" textually, but it is not inside the root.
        File.CreateSymbolicLink(Path.Combine(_root, "p"), Path.Combine(_parent, "tftp-private"));
        Assert.Equal(TftpPathRefusal.OutsideRoot, Refusal("p/key"));
    }

    [Fact]
    public void Prefix_sibling_by_name_is_refused() => Assert.Equal(TftpPathRefusal.BadComponent, Refusal("../tftp-private/key"));

    [Fact]
    public void Symlinked_file_pointing_out_of_the_root_is_refused()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "passwd"), Path.Combine(_parent, "secret"));
        Assert.Equal(TftpPathRefusal.OutsideRoot, Refusal("passwd"));
    }

    [Fact]
    public void Symlinked_directory_pointing_out_of_the_root_is_refused()
    {
        Directory.CreateSymbolicLink(Path.Combine(_root, "up"), _parent);
        Assert.Equal(TftpPathRefusal.OutsideRoot, Refusal("up/secret"));
    }

    [Fact]
    public void Relative_symlink_climbing_out_is_refused()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "efi", "s"), "../../secret");
        Assert.Equal(TftpPathRefusal.OutsideRoot, Refusal("efi/s"));
    }

    [Fact]
    public void Symlink_inside_the_root_is_served()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "default.efi"), Path.Combine(_root, "efi", "snponly.efi"));
        Assert.True(_resolver.TryResolve("default.efi", out var path, out _));
        Assert.Equal(Path.Combine(_resolver.Root, "efi", "snponly.efi"), path);
    }

    [Fact]
    public void Symlink_loop_is_refused()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "a"), Path.Combine(_root, "b"));
        File.CreateSymbolicLink(Path.Combine(_root, "b"), Path.Combine(_root, "a"));
        Assert.False(_resolver.TryResolve("a", out _, out _));
    }

    [Fact]
    public void Root_reached_through_a_symlink_still_serves()
    {
        var link = Path.Combine(_parent, "tftp-link");
        Directory.CreateSymbolicLink(link, _root);
        Assert.True(new TftpRootResolver(link).TryResolve("undionly.kpxe", out _, out _));
    }
}
