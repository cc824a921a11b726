#Requires -Version 7.4
# Pester 5. Get-NfNodeInventory: its parameter sets and what it says when there is no shared store to read. Loopback
# only (127.0.0.1, high ports, no root); every wait is bounded. The inventory itself lives in PostgreSQL: reading it
# with real rows is in the lab tests (Storage/SharedBootEventAcceptanceTests, Storage/PostgresBootEventStoreTests),
# since Pester runs where no database does.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'NodeFoundry.TestHelpers.psm1') -Force
    Import-Module (Get-NfTestModulePath) -Force
    $script:Fleet = Join-Path $TestDrive 'fleet.yaml'
    Copy-Item -LiteralPath (Join-Path $PSScriptRoot 'fixtures/fleet.yaml') -Destination $Fleet
    $script:Shared = Join-Path $TestDrive 'shared.yaml'
    (Get-Content -Raw -LiteralPath $Fleet) + "`nstorage:`n  kind: postgresql`n  connection: env:NF_PESTER_NO_SUCH_VARIABLE`n" |
        Set-Content -LiteralPath $Shared -NoNewline

    $dhcpPort, $tftpPort = Get-NfTestFreePort -Count 2
    $script:Job = Start-NfBootStack -FleetFile $Fleet -ListenAddress 127.0.0.1 -DhcpPort $dhcpPort -TftpPort $tftpPort `
        -HttpPort (Get-NfTestFreePort -Tcp) -JournalPath (Join-Path $TestDrive 'leases.journal') -Name 'nf-pester-inventory' `
        -WarningAction SilentlyContinue
    $script:Listening = Wait-NfTestListening -Job $Job
}

AfterAll {
    if ($Job) { $Job | Remove-Job -Force -ErrorAction SilentlyContinue }
    Remove-Module NodeFoundry -ErrorAction SilentlyContinue
}

Describe 'Get-NfNodeInventory' {
    It 'declares InventoryNode as its output' {
        (Get-Command Get-NfNodeInventory).OutputType.Type | Should -Be ([NodeFoundry.Storage.InventoryNode])
    }

    It 'has the Job (default) and FleetFile parameter sets' {
        $command = Get-Command Get-NfNodeInventory
        $command.DefaultParameterSet | Should -Be 'Job'
        $command.ParameterSets.Name | Sort-Object | Should -Be @('FleetFile', 'Job')
    }

    It 'writes a non-terminating NfStoreNotShared for a stack whose fleet keeps its leases in a journal' {
        $Listening | Should -BeTrue -Because "the stack should have bound its ports ($($Job.Error | Out-String))"
        Get-NfNodeInventory -Job $Job -ErrorAction SilentlyContinue -ErrorVariable notShared | Should -BeNullOrEmpty
        $notShared | Should -HaveCount 1
        $notShared[0].FullyQualifiedErrorId | Should -Be 'NfStoreNotShared,NodeFoundry.PowerShell.Commands.GetNfNodeInventoryCommand'
        $notShared[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
    }

    It 'takes the job from the pipeline (Get-Job | Get-NfNodeInventory)' {
        Get-Job -Name 'nf-pester-inventory' | Get-NfNodeInventory -ErrorAction SilentlyContinue -ErrorVariable piped | Should -BeNullOrEmpty
        $piped[0].FullyQualifiedErrorId | Should -BeLike 'NfStoreNotShared,*'
    }

    It 'writes a non-terminating NfJobNotBootStack for a job that is not a boot stack' {
        $other = Start-Job { 1 }
        try {
            Get-NfNodeInventory -Job $other -ErrorAction SilentlyContinue -ErrorVariable wrong | Should -BeNullOrEmpty
            $wrong[0].FullyQualifiedErrorId | Should -Be 'NfJobNotBootStack,NodeFoundry.PowerShell.Commands.GetNfNodeInventoryCommand'
        }
        finally { $other | Remove-Job -Force }
    }

    It 'refuses a fleet file whose leases are in a journal with a terminating NfStoreNotShared' {
        { Get-NfNodeInventory -FleetFile $Fleet } | Should -Throw -ErrorId 'NfStoreNotShared,NodeFoundry.PowerShell.Commands.GetNfNodeInventoryCommand'
    }

    It 'says NfBootEventStoreUnavailable when the store''s connection string cannot be read' {
        $env:NF_PESTER_NO_SUCH_VARIABLE = $null
        { Get-NfNodeInventory -FleetFile $Shared } | Should -Throw -ErrorId 'NfBootEventStoreUnavailable,NodeFoundry.PowerShell.Commands.GetNfNodeInventoryCommand'
    }

    It 'says NfFleetFileNotFound for a fleet file that does not exist' {
        { Get-NfNodeInventory -FleetFile (Join-Path $TestDrive 'missing.yaml') } |
            Should -Throw -ErrorId 'NfFleetFileNotFound,NodeFoundry.PowerShell.Commands.GetNfNodeInventoryCommand'
    }

    It 'refuses a $null job at binding time' {
        { Get-NfNodeInventory -Job $null } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }
}
