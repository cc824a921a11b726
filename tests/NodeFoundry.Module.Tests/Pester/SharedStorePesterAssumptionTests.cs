using NodeFoundry.Fleet;
using NodeFoundry.Hosting;
using NodeFoundry.Storage;

namespace NodeFoundry.Tests.Pester;

/// <summary>
/// What the -FleetFile and inventory cases of Get-NfBootTimeline.Tests.ps1 and Get-NfNodeInventory.Tests.ps1 take for
/// granted, checked without PowerShell: the fixture fleet shares no store (so its stack records nowhere and the
/// cmdlets say NfStoreNotShared); the fixture with a storage section appended as the suites write it loads, is
/// shared, and opening its store with the connection's environment variable unset is an IOException (the cmdlets'
/// NfBootEventStoreUnavailable), not a fleet error and not a hang.
/// </summary>
public sealed class SharedStorePesterAssumptionTests : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("nf-shared-pester-");

    public void Dispose() => _scratch.Delete(recursive: true);

    [Fact]
    public void The_fixture_fleet_shares_no_store_and_its_stack_records_nowhere()
    {
        // A scratch copy, DHCP only: a stack creates folders beside its fleet file, which must not land in the repository.
        string copy = Path.Combine(_scratch.FullName, "fleet.yaml");
        File.Copy(PesterFixtures.Fleet, copy);
        FleetConfig fleet = FleetLoader.LoadFileOrThrow(copy);
        Assert.False(BootEventStores.IsShared(fleet));
        using var stack = new BootStack(fleet, new BootStackOptions { DhcpPort = 0, NoJournal = true, Engines = BootStackEngines.Dhcp });
        Assert.Null(stack.BootEvents);
    }

    [Fact]
    public void The_fixture_with_a_postgresql_storage_appended_loads_and_an_unset_connection_variable_is_an_IOException()
    {
        // As the suites write it: Get-Content -Raw + the section, Set-Content -NoNewline.
        string shared = Path.Combine(_scratch.FullName, "shared.yaml");
        File.WriteAllText(shared, File.ReadAllText(PesterFixtures.Fleet) + "\nstorage:\n  kind: postgresql\n  connection: env:NF_PESTER_NO_SUCH_VARIABLE\n");
        Environment.SetEnvironmentVariable("NF_PESTER_NO_SUCH_VARIABLE", null);

        FleetConfig fleet = FleetLoader.LoadFileOrThrow(shared);
        Assert.True(BootEventStores.IsShared(fleet));
        var error = Assert.ThrowsAny<IOException>(() => BootEventStores.OpenPostgres(fleet));
        Assert.Contains("NF_PESTER_NO_SUCH_VARIABLE", error.Message, StringComparison.Ordinal);
    }
}
