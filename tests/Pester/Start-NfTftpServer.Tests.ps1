#Requires -Version 7.4
# Pester 5. Loopback only (127.0.0.1, high ports, no root); every wait is bounded. The client is a plain RFC 1350
# read done with UdpClient (Invoke-NfTestTftpRead): RRQ, then DATA/ACK in 512-byte blocks.
# What every Start-Nf*Server shares (the job, Get-Job/Stop-Job/Remove-Job, fleet errors, bind failures, -WhatIf,
# pipeline input) is in BootServiceJob.Tests.ps1.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'NodeFoundry.TestHelpers.psm1') -Force
    Import-Module (Get-NfTestModulePath) -Force
    $script:Fleet = Join-Path $PSScriptRoot 'fixtures/fleet.yaml'

    # A temporary root with one small loader: 1300 bytes are three blocks (512 + 512 + 276).
    $script:Root = Join-Path $TestDrive 'tftp'
    $script:Loader = New-NfTestFile -Path (Join-Path $Root 'undionly.kpxe') -Length 1300 -Seed 42
}

AfterAll {
    Get-Job | Where-Object PSJobTypeName -EQ 'NodeFoundryJob' | Remove-Job -Force
    Remove-Module NodeFoundry -ErrorAction SilentlyContinue
}

Describe 'Start-NfTftpServer as a job' {
    BeforeAll {
        $script:Port = Get-NfTestFreePort
        $script:Job = Start-NfTftpServer -FleetFile $Fleet -Root $Root -ListenAddress 127.0.0.1 -Port $Port -Name "nf-pester-tftp-$Port"
        $script:Received = [System.Collections.Generic.List[object]]::new()
    }

    AfterAll {
        if ($Job) { $Job | Remove-Job -Force -ErrorAction SilentlyContinue }
    }

    It 'runs a TftpServer over the root, listening on 127.0.0.1' {
        $Job.Service | Should -BeOfType ([NodeFoundry.Tftp.TftpServer])
        $Job.Location | Should -Be "tftp@127.0.0.1:$Port"
        Wait-NfTestListening -Job $Job -TimeoutSeconds 1 | Should -BeTrue -Because "the cmdlet returns once 127.0.0.1:$Port is bound ($($Job.Error | Out-String))"
        $Job.JobStateInfo.State | Should -Be 'Running'
    }

    It 'serves the loader from its root, byte for byte' {
        $bytes = Invoke-NfTestTftpRead -Port $Port -FileName 'undionly.kpxe'

        $bytes.Length | Should -Be $Loader.Length
        [System.Convert]::ToHexString($bytes) | Should -Be ([System.Convert]::ToHexString($Loader))
    }

    It 'streams the Completed TransferEvent of that read to Receive-Job' {
        $completed = Wait-NfTestCondition {
            foreach ($item in @(Receive-Job -Job $Job)) { $Received.Add($item) }
            $Received | Where-Object Kind -EQ 'Completed' | Select-Object -First 1
        } -TimeoutSeconds 10

        $completed | Should -Not -BeNullOrEmpty -Because "received: $($Received | Out-String)"
        $Received | Should -BeOfType ([NodeFoundry.Tftp.TransferEvent])
        @($Received | Where-Object Kind -EQ 'Started').Count | Should -Be 1
        $completed.Source | Should -Be 'tftp'
        $completed.FileName | Should -Be 'undionly.kpxe'
        $completed.BytesTransferred | Should -Be 1300
        $completed.FileSize | Should -Be 1300
        $completed.BlockSize | Should -Be 512
        $completed.Client.Address | Should -Be ([ipaddress]'127.0.0.1')
        $completed.IPAddress | Should -Be ([ipaddress]'127.0.0.1')
        $completed.Duration | Should -BeOfType ([timespan])
    }

    It 'refuses a missing file with TFTP error 1 and a Refused event' {
        { Invoke-NfTestTftpRead -Port $Port -FileName 'missing.efi' } | Should -Throw 'TFTP ERROR 1:*'

        $refused = Wait-NfTestCondition {
            Receive-Job -Job $Job | Where-Object Kind -EQ 'Refused' | Select-Object -First 1
        } -TimeoutSeconds 10
        $refused | Should -Not -BeNullOrEmpty
        $refused.FileName | Should -Be 'missing.efi'
        $refused.Reason | Should -Not -BeNullOrEmpty
    }

    It 'refuses a name that climbs out of the root' {
        { Invoke-NfTestTftpRead -Port $Port -FileName '../fleet.yaml' } | Should -Throw 'TFTP ERROR 2:*'
    }

    It 'formats TransferEvents with the transfer columns' {
        $table = $Received | Format-Table | Out-String -Width 200

        $table | Should -Match 'Time\s+Kind\s+Client\s+FileName\s+Bytes\s+Duration\s+Retransmits\s+Reason'
        $table | Should -Match 'Completed\s+127\.0\.0\.1:\d+\s+undionly\.kpxe\s+1\D?300\s'
    }
}

Describe 'Start-NfTftpServer failures' {
    It 'throws NfTftpRootNotFound for a missing root, and starts nothing' {
        $before = @(Get-Job).Count
        { Start-NfTftpServer -FleetFile $Fleet -Root (Join-Path $TestDrive 'no-such-root') -ListenAddress 127.0.0.1 -Port (Get-NfTestFreePort) } |
            Should -Throw -ErrorId 'NfTftpRootNotFound,NodeFoundry.PowerShell.Commands.StartNfTftpServerCommand'
        @(Get-Job).Count | Should -Be $before
    }
}

Describe 'Start-NfTftpServer -Wait' {
    It 'streams TransferEvents in the foreground until the pipeline is stopped (Ctrl+C)' {
        $port = Get-NfTestFreePort
        $server = Start-NfTestForegroundServer -Command 'Start-NfTftpServer' -Parameters @{
            FleetFile = $Fleet; Root = $Root; ListenAddress = '127.0.0.1'; Port = $port
        }
        try {
            # Ask until the server answers: in the foreground nothing says when it has bound.
            $length = Wait-NfTestCondition {
                try { (Invoke-NfTestTftpRead -Port $port -FileName 'undionly.kpxe' -TimeoutMilliseconds 500 -Retries 1).Length }
                catch { 0 }
            } -TimeoutSeconds 10
            $length | Should -Be 1300 -Because ($server.PowerShell.Streams.Error | Out-String)
            Wait-NfTestCondition { $server.Output | Where-Object Kind -EQ 'Completed' } -TimeoutSeconds 5 |
                Should -Not -BeNullOrEmpty
            # Output holds PSObjects; -BeOfType (-is) sees through the wrapper, .BaseObject would not (it is .psobject.BaseObject).
            $server.Output[0] | Should -BeOfType ([NodeFoundry.Tftp.TransferEvent])

            $server.PowerShell.Stop()   # what Ctrl+C does: StopProcessing stops the engine
            $server.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'
            Test-NfTestPortFree -Port $port | Should -BeTrue
        }
        finally {
            $server.PowerShell.Dispose()
        }
    }
}
