#Requires -Version 7.4
# Pester 5. Loopback only (127.0.0.1, high ports, no root); every wait is bounded. The client is Invoke-WebRequest
# (-NoProxy, so a proxy in the environment never sees loopback traffic).
# What every Start-Nf*Server shares (the job, Get-Job/Stop-Job/Remove-Job, fleet errors, bind failures, -WhatIf,
# pipeline input) is in BootServiceJob.Tests.ps1.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'NodeFoundry.TestHelpers.psm1') -Force
    Import-Module (Get-NfTestModulePath) -Force
    $script:Fleet = Join-Path $PSScriptRoot 'fixtures/fleet.yaml'

    # A temporary root with one "kernel" in a sub-folder, as profiles lay them out (ubuntu/vmlinuz).
    $script:Root = Join-Path $TestDrive 'http'
    $script:Kernel = New-NfTestFile -Path (Join-Path $Root 'ubuntu/vmlinuz') -Length 70000 -Seed 7
}

AfterAll {
    Get-Job | Where-Object PSJobTypeName -EQ 'NodeFoundryJob' | Remove-Job -Force
    Remove-Module NodeFoundry -ErrorAction SilentlyContinue
}

Describe 'Start-NfHttpServer as a job' {
    BeforeAll {
        $script:Port = Get-NfTestFreePort -Tcp
        $script:Job = Start-NfHttpServer -FleetFile $Fleet -Root $Root -ListenAddress 127.0.0.1 -Port $Port -Name "nf-pester-http-$Port"
        $script:Base = "http://127.0.0.1:$Port"
    }

    AfterAll {
        if ($Job) { $Job | Remove-Job -Force -ErrorAction SilentlyContinue }
    }

    It 'runs an HttpBootServer over the root, listening on 127.0.0.1' {
        $Job.Service | Should -BeOfType ([NodeFoundry.Http.HttpBootServer])
        $Job.Location | Should -Be "http@127.0.0.1:$Port"
        Wait-NfTestListening -Job $Job -TimeoutSeconds 1 | Should -BeTrue -Because "the cmdlet returns once 127.0.0.1:$Port listens ($($Job.Error | Out-String))"
        $Job.JobStateInfo.State | Should -Be 'Running'
    }

    It 'serves a file under the root to Invoke-WebRequest, byte for byte' {
        $file = Join-Path $TestDrive 'vmlinuz'
        $response = Invoke-WebRequest -Uri "$Base/ubuntu/vmlinuz" -OutFile $file -PassThru -NoProxy -TimeoutSec 10

        $response.StatusCode | Should -Be 200
        (Get-FileHash -Path $file).Hash | Should -Be (Get-FileHash -Path (Join-Path $Root 'ubuntu/vmlinuz')).Hash
    }

    It 'streams the HttpRequestEvent of that GET to Receive-Job' {
        $received = @(Wait-NfTestCondition { Receive-Job -Job $Job } -TimeoutSeconds 10)

        $received | Should -Not -BeNullOrEmpty
        $received | Should -BeOfType ([NodeFoundry.Http.HttpRequestEvent])
        $get = $received | Where-Object Path -EQ '/ubuntu/vmlinuz' | Select-Object -First 1
        $get.Source | Should -Be 'http'
        $get.Method | Should -Be 'GET'
        $get.StatusCode | Should -Be 200
        $get.BytesSent | Should -Be $Kernel.Length
        $get.ContentLength | Should -Be $Kernel.Length
        $get.IPAddress | Should -Be ([ipaddress]'127.0.0.1')
        $get.Route | Should -Be 'static'
        $script:Get = $get
    }

    It 'answers a missing file 404 and reports it' {
        (Invoke-WebRequest -Uri "$Base/ubuntu/initrd" -NoProxy -TimeoutSec 10 -SkipHttpErrorCheck).StatusCode | Should -Be 404
        $missing = Wait-NfTestCondition {
            Receive-Job -Job $Job | Where-Object StatusCode -EQ 404 | Select-Object -First 1
        } -TimeoutSeconds 10

        $missing | Should -Not -BeNullOrEmpty
        $missing.Path | Should -Be '/ubuntu/initrd'
    }

    It 'formats HttpRequestEvents with the request columns' {
        $table = $Get | Format-Table | Out-String -Width 200

        $table | Should -Match 'Time\s+Status\s+Client\s+Method\s+Path\s+Bytes\s+Duration\s+Reason'
        $table | Should -Match '200\s+127\.0\.0\.1:\d+\s+GET\s+/ubuntu/vmlinuz\s+70\D?000\s'
    }
}

Describe 'Start-NfHttpServer root' {
    It 'warns, and still starts, when the root does not exist (files are 404 until it does)' {
        $port = Get-NfTestFreePort -Tcp
        try {
            $job = Start-NfHttpServer -FleetFile $Fleet -Root (Join-Path $TestDrive 'no-such-root') -ListenAddress 127.0.0.1 -Port $port `
                -WarningVariable warnings -WarningAction SilentlyContinue

            $warnings | Should -HaveCount 1
            "$warnings" | Should -Match 'no-such-root.*does not exist'
            $job.JobStateInfo.State | Should -Be 'Running'
        }
        finally {
            if ($job) { $job | Remove-Job -Force }
        }
    }
}

Describe 'Start-NfHttpServer -Wait' {
    It 'streams HttpRequestEvents in the foreground until the pipeline is stopped (Ctrl+C)' {
        $port = Get-NfTestFreePort -Tcp
        $server = Start-NfTestForegroundServer -Command 'Start-NfHttpServer' -Parameters @{
            FleetFile = $Fleet; Root = $Root; ListenAddress = '127.0.0.1'; Port = $port
        }
        try {
            # Ask until the server answers: in the foreground nothing says when it listens.
            $status = Wait-NfTestCondition {
                try { (Invoke-WebRequest -Uri "http://127.0.0.1:$port/ubuntu/vmlinuz" -Method Head -NoProxy -TimeoutSec 2).StatusCode }
                catch { 0 }
            } -TimeoutSeconds 10
            $status | Should -Be 200 -Because ($server.PowerShell.Streams.Error | Out-String)
            Wait-NfTestCondition { $server.Output.Count -gt 0 } -TimeoutSeconds 5 | Should -BeTrue
            # Output holds PSObjects; -BeOfType (-is) and property access see through the wrapper, .BaseObject would not
            # (it is .psobject.BaseObject).
            $server.Output[0] | Should -BeOfType ([NodeFoundry.Http.HttpRequestEvent])
            $server.Output[0].Method | Should -Be 'HEAD'

            $server.PowerShell.Stop()   # what Ctrl+C does: StopProcessing stops the engine
            $server.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'
            Test-NfTestPortFree -Port $port -Tcp | Should -BeTrue
        }
        finally {
            $server.PowerShell.Dispose()
        }
    }
}
