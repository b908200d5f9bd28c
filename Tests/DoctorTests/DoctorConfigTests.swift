import Foundation
import Testing

extension DoctorSuite {
    @Suite("configuration and output")
    struct DoctorConfigTests {
        @Test("an invalid settings file: FAIL config naming the key and its variable, the checks that need it skipped")
        func invalidConfig() async throws {
            try await DoctorSuite.withStore { store in
                try store.writeServiceConfig(extra: ["http": ["port": 70000]])
                let run = try store.doctor()
                #expect(run.status == 1)
                let config = try #require(run.check("config"))
                #expect(config.line == "FAIL  config  \(store.serviceConfig): invalid configuration: http.port: must be between 1 and 65535, got 70000")
                #expect(config.fix == "correct http.port in \(store.serviceConfig) (or the PARCOURS_HTTP_PORT variable that overrides it); parcours serve refuses to start until then")
                #expect(run.check("bindings")?.line == "skip  bindings  the settings did not load, so their devices list is unknown")
                #expect(run.check("tls certificate")?.line == "skip  tls certificate  the settings did not load, so tls.certificate is unknown")
                #expect(run.problems.count == 3, "\(run.output)")

                try store.writeServiceConfig(extra: ["kiosk": ["idleTimeoutSecs": 30]])
                #expect(try store.doctor().check("config")?.line == "FAIL  config  \(store.serviceConfig): invalid configuration: kiosk.idleTimeoutSecs: unknown key")
            }
        }

        @Test("--json: one document with ok and every check's status, detail and fix; warnings alone exit 0")
        func jsonOutput() async throws {
            try await DoctorSuite.withStore { store in
                try store.writeServiceConfig(devices: Array(store.bindings.dropLast()))
                let spare = try #require(store.bindings.last?.reader)
                let run = try store.doctor(["--json"])
                #expect(run.status == 0, "\(run.output)")
                let document = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
                #expect(Set(document.keys) == ["ok", "checks"])
                #expect(document["ok"] as? Bool == true)
                let checks = try #require(document["checks"] as? [[String: Any]])
                #expect(checks.allSatisfy { Set($0.keys) == ["check", "status", "detail", "fix"] })
                let statuses = Dictionary(checks.map { ($0["check"] as? String ?? "", $0["status"] as? String ?? "") }, uniquingKeysWith: { $1 })
                #expect(statuses["reader \(spare)"] == "warn")
                #expect(checks.filter { $0["status"] as? String != "ok" }.count == 1, "\(run.output)")
                for name in ["config", "identification", "rules", "database", "schema", "disk", "pcscd", "readers", "head office", "outbox", "tls certificate", "head office CA"] {
                    #expect(statuses[name] == "ok", "\(name): \(run.output)")
                }
                let warn = try #require(checks.first { $0["check"] as? String == "reader \(spare)" })
                #expect((warn["fix"] as? String)?.contains(spare) == true)
                #expect(checks.first { $0["check"] as? String == "pcscd" }?["fix"] is NSNull)

                try HeadOfficeProcess.run("/usr/bin/sqlite3", [store.database, "INSERT INTO grdb_migrations (identifier) VALUES ('v9')"])
                let failed = try store.doctor(["--json"])
                #expect(failed.status == 1)
                let broken = try #require(try JSONSerialization.jsonObject(with: Data(failed.output.utf8)) as? [String: Any])
                #expect(broken["ok"] as? Bool == false)
                let schema = try #require((broken["checks"] as? [[String: Any]])?.first { $0["check"] as? String == "schema" })
                #expect(schema["status"] as? String == "fail")
                #expect(schema["fix"] as? String == "upgrade parcours to the version that wrote this database (never run an older binary on it)")
            }
        }
    }
}
