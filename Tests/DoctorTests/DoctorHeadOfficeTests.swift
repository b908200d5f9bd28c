import Foundation
import SyncProtocol
import Testing

extension DoctorSuite {
    @Suite("head office")
    struct DoctorHeadOfficeTests {
        @Test("head office unreachable: FAIL head office with connection refused, auth and clock skipped")
        func unreachable() async throws {
            try await DoctorSuite.withStore { store in
                let url = "http://127.0.0.1:\(try freePort())"
                let run = try store.doctor(environment: [
                    "PARCOURS_HEADOFFICE_URL": url, "PARCOURS_HEADOFFICE_CREDENTIAL": StoreCredential(storeId: StoreFixture.storeId).text,
                ])
                #expect(run.status == 1)
                let headOffice = try #require(run.check("head office"))
                #expect(headOffice.line == "FAIL  head office  \(url)/health does not answer: connection refused", "\(headOffice.line)")
                #expect(headOffice.fix?.hasPrefix("check the URL (PARCOURS_HEADOFFICE_URL), the network and VPN from this PC (curl \(url)/health)") == true)
                #expect(run.problems == [headOffice.line, "skip  head office auth  head office does not answer", "skip  clock  head office does not answer"],
                        "\(run.output)")
            }
        }

        @Test("a real head office that does not hold this credential: FAIL head office auth with its reason and the rotate fix")
        func refusedCredential() async throws {
            try await DoctorSuite.withStore { store in
                let run = try await HeadOfficeProcess.withHeadOffice { node in
                    // The right store id with another key: what a store left with a rotated-away credential sends.
                    try store.doctor(environment: [
                        "PARCOURS_HEADOFFICE_URL": node.url, "PARCOURS_HEADOFFICE_CREDENTIAL": StoreCredential(storeId: StoreFixture.storeId).text,
                    ])
                }
                #expect(run.status == 1)
                let auth = try #require(run.check("head office auth"))
                #expect(auth.line.hasPrefix("FAIL  head office auth  head office refuses store doc-01's signed request (401 "), "\(auth.line)")
                #expect(auth.fix?.hasPrefix("PARCOURS_HEADOFFICE_CREDENTIAL is not the credential head office holds for doc-01") == true)
                #expect(run.problems == [auth.line], "\(run.output)")
                #expect(run.check("clock")?.line.hasPrefix("ok    clock  ") == true)
            }
        }

        @Test("head office's clock 15 minutes away: FAIL clock beyond 300 s; one minute: warn")
        func clockSkew() async throws {
            try await DoctorSuite.withStore { store in
                for (skew, expected) in [(900.0, "FAIL  clock  this PC's clock is 900 s behind head office's (signed requests fail beyond 300 s)"),
                                         (-60.0, "warn  clock  this PC's clock is 60 s ahead of head office's (warn beyond 30 s, signed requests fail beyond 300 s)")] {
                    let server = try SkewedClockServer(skew: skew)
                    defer { server.stop() }
                    let run = try store.doctor(environment: [
                        "PARCOURS_HEADOFFICE_URL": server.url, "PARCOURS_HEADOFFICE_CREDENTIAL": StoreCredential(storeId: StoreFixture.storeId).text,
                    ])
                    let clock = try #require(run.check("clock"))
                    // A second of slack: the header has whole seconds and the request takes some time.
                    let near = [expected, expected.replacingOccurrences(of: " \(Int(abs(skew))) s ", with: " \(Int(abs(skew)) - 1) s "),
                                expected.replacingOccurrences(of: " \(Int(abs(skew))) s ", with: " \(Int(abs(skew)) + 1) s ")]
                    #expect(near.contains(clock.line), "\(clock.line)")
                    #expect(clock.fix == "turn on time sync: timedatectl set-ntp true (systemd-timesyncd), and check timedatectl status")
                    #expect(run.status == 1)  // the fixture is no head office: the signed request fails too
                }
            }
        }
    }
}
