using System.Text.Json;

namespace NodeFoundry.Tests.Host;

/// <summary>
/// The runtime settings the service host ships with (its nodefoundry.runtimeconfig.json, copied next to the tests by
/// the project reference). They are measured choices (docs/performance.md), easy to lose in a csproj edit.
/// </summary>
public sealed class HostRuntimeConfigTests
{
    [Fact]
    public void The_host_compiles_each_method_once_without_tiering()
    {
        // Tiered re-compilation of the hot send path ran inside the first minutes of serving and cost the HTTP
        // server 0.04-0.10 CPU s/GiB (docs/performance.md, "JIT out of the serving window").
        Assert.False(ConfigProperty("System.Runtime.TieredCompilation").GetBoolean());
    }

    [Fact]
    public void The_host_keeps_idle_thread_pool_workers_from_spinning()
    {
        Assert.Equal(0, ConfigProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
    }

    private static JsonElement ConfigProperty(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "nodefoundry.runtimeconfig.json");
        Assert.True(File.Exists(path), $"{path} is missing: the test project should copy the host's runtime config");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var properties = document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.True(properties.TryGetProperty(name, out var value), $"{name} is not set in {path}");
        return value.Clone();
    }
}
