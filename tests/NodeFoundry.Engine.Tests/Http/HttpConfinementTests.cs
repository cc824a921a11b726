using NodeFoundry.Http;

namespace NodeFoundry.Tests.Http;

/// <summary>
/// Path confinement, one case per test: whatever the encoding, nothing outside the root is ever served.
/// Outside the root sit <c>outside.txt</c> and a prefix sibling <c>http-private/secret.txt</c>. Targets
/// are sent raw, exactly as written here, so no client library normalises them first.
/// </summary>
public sealed class HttpConfinementTests
{
    [Theory]
    [InlineData("/../outside.txt", 400)]
    [InlineData("/sub/../../outside.txt", 400)]
    [InlineData("/%2e%2e/outside.txt", 400)]
    [InlineData("/%2E%2E/outside.txt", 400)]
    [InlineData("/.%2e/outside.txt", 400)]
    [InlineData("/%2e./outside.txt", 400)]
    [InlineData("/..%2foutside.txt", 400)]
    [InlineData("/%2e%2e%2foutside.txt", 400)]
    [InlineData("/..%5coutside.txt", 400)]
    [InlineData("/..\\outside.txt", 400)]
    [InlineData("/sub\\..\\..\\outside.txt", 400)]
    [InlineData("/%2e%2e%5coutside.txt", 400)]
    [InlineData("/a.txt%00.png", 400)]
    [InlineData("/a.txt%00", 400)]
    [InlineData("/./a.txt", 400)]
    [InlineData("//..//outside.txt", 400)]
    [InlineData("/%252e%252e/outside.txt", 404)] // decoded once: a folder literally named "%2e%2e", which does not exist
    [InlineData("/%c0%ae%c0%ae/outside.txt", 400)] // overlong UTF-8 dots are invalid UTF-8, not dots
    [InlineData("/../http-private/secret.txt", 400)]
    [InlineData("/%2e%2e/http-private/secret.txt", 400)]
    [InlineData("http://evil/../outside.txt", 400)]
    [InlineData("/sub/deeper/../../../outside.txt", 400)]
    public async Task Traversal_attempt_is_refused(string target, int status)
    {
        await using var server = await HttpTestServer.StartAsync();
        var response = server.Request($"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(status, response.Status);
        Assert.DoesNotContain("SECRET", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Symlink_to_a_file_outside_the_root_is_404()
    {
        await using var server = await HttpTestServer.StartAsync(populate: root =>
            File.CreateSymbolicLink(Path.Combine(root, "escape.txt"), Path.Combine(root, "..", "outside.txt")));
        var response = server.Request(HttpTestServer.Get("/escape.txt"));
        Assert.Equal(404, response.Status);
        Assert.DoesNotContain("SECRET", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Symlinked_directory_leading_out_is_404()
    {
        await using var server = await HttpTestServer.StartAsync(populate: root =>
            Directory.CreateSymbolicLink(Path.Combine(root, "up"), Path.GetDirectoryName(root)!));
        Assert.Equal(404, server.Request(HttpTestServer.Get("/up/outside.txt")).Status);
        Assert.Equal(404, server.Request(HttpTestServer.Get("/up/http-private/secret.txt")).Status);
    }

    [Fact]
    public async Task Symlink_into_a_prefix_sibling_of_the_root_is_404()
    {
        // root is …/http; …/http-private/secret.txt starts with the same characters but is outside.
        await using var server = await HttpTestServer.StartAsync(populate: root =>
            File.CreateSymbolicLink(Path.Combine(root, "sibling.txt"), root + "-private/secret.txt"));
        Assert.Equal(404, server.Request(HttpTestServer.Get("/sibling.txt")).Status);
    }

    [Fact]
    public async Task Absolute_symlink_to_etc_passwd_is_404()
    {
        await using var server = await HttpTestServer.StartAsync(populate: root =>
            File.CreateSymbolicLink(Path.Combine(root, "passwd"), "/etc/passwd"));
        var response = server.Request(HttpTestServer.Get("/passwd"));
        Assert.Equal(404, response.Status);
        Assert.DoesNotContain("root:", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Symlink_loop_is_404_and_the_server_keeps_serving()
    {
        await using var server = await HttpTestServer.StartAsync(populate: root =>
        {
            File.CreateSymbolicLink(Path.Combine(root, "loop1"), Path.Combine(root, "loop2"));
            File.CreateSymbolicLink(Path.Combine(root, "loop2"), Path.Combine(root, "loop1"));
        });
        Assert.Equal(404, server.Request(HttpTestServer.Get("/loop1")).Status);
        Assert.Equal(200, server.Request(HttpTestServer.Get("/a.txt")).Status);
    }

    [Fact]
    public async Task Symlinks_that_stay_inside_the_root_are_served()
    {
        await using var server = await HttpTestServer.StartAsync(populate: root =>
        {
            File.CreateSymbolicLink(Path.Combine(root, "current.txt"), Path.Combine(root, "sub", "deeper", "b.txt"));
            Directory.CreateSymbolicLink(Path.Combine(root, "latest"), Path.Combine(root, "sub"));
        });
        Assert.Equal("nested\n", server.Request(HttpTestServer.Get("/current.txt")).Text);
        Assert.Equal("nested\n", server.Request(HttpTestServer.Get("/latest/deeper/b.txt")).Text);
    }

    [Fact]
    public async Task A_root_reached_through_a_symlink_still_serves_and_confines()
    {
        var folder = Directory.CreateTempSubdirectory("nf-http-link-");
        try
        {
            var real = Directory.CreateDirectory(Path.Combine(folder.FullName, "real")).FullName;
            File.WriteAllText(Path.Combine(real, "k.txt"), "kernel");
            File.WriteAllText(Path.Combine(folder.FullName, "outside.txt"), "SECRET");
            var link = Path.Combine(folder.FullName, "link");
            Directory.CreateSymbolicLink(link, real);
            var resolver = new StaticFileResolver(link);
            Assert.Equal(real, resolver.Root);
            Assert.NotNull(resolver.Resolve(["k.txt"]));
            Assert.Null(resolver.Resolve([".."]));
            Assert.Null(resolver.Resolve(["..", "outside.txt"]));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Resolver_refuses_unsafe_segments_even_when_called_directly()
    {
        var resolver = new StaticFileResolver(Path.GetTempPath());
        Assert.Null(resolver.Resolve([".."]));
        Assert.Null(resolver.Resolve(["a/../.."]));
        Assert.Null(resolver.Resolve(["a\0"]));
        Assert.Null(resolver.Resolve([]));
    }
}
