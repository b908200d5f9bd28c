// swift-tools-version: 6.1
// Parcours: in-store phygital point-of-sale backend.
// Layers, each its own target, dependencies pointing one way:
//   CPCSCLite → PCSC → (CardProtocols → CardSecurity) → ReaderService ┐
//                                                        StoreCore ─────┴→ StoreService ┐
//   SyncProtocol (the store ↔ head-office contract) → StoreCore (the earning rules' bounds), StoreSync (store side) ┴→ parcours
//   SyncProtocol → HeadOffice (PostgreSQL) → HeadOfficeService (HTTP, the dashboard) ───────→ parcours
//   StoreCore + StoreSync → ChainSimulator (a simulated chain's traffic, `parcours demo seed`) → parcours
//   hardware/: CardSimulator (+ parcours-cardsim), which plays cards to the virtual readers.
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Parcours",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "parcours", targets: ["parcours"]),
        .executable(name: "parcours-cardsim", targets: ["parcours-cardsim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.0.0"),
    ],
    targets: [
        // C view of libpcsclite.
        .systemLibrary(
            name: "CPCSCLite",
            pkgConfig: "libpcsclite",
            providers: [.apt(["libpcsclite-dev"])]
        ),
        // Safe Swift PC/SC: contexts, connections, the reader monitor. Blocking calls on dedicated threads.
        .target(
            name: "PCSC",
            dependencies: ["CPCSCLite", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        // Pure card protocols: bytes in, values or typed errors out. No I/O, no dependencies.
        .target(name: "CardProtocols", swiftSettings: strictSettings),
        // Cryptographic proofs on top of the codecs: SUN, signed loyalty cards, app challenge, payment tokens.
        .target(
            name: "CardSecurity",
            dependencies: [
                "CardProtocols",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // Reader service: watches readers, turns each tap into one identification result.
        .target(
            name: "ReaderService",
            dependencies: ["PCSC", "CardProtocols", "CardSecurity", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        // Slow password hashing (PBKDF2-HMAC-SHA256) for staff PINs and head-office manager passwords.
        .target(
            name: "KeyDerivation",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        // The store's domain and persistence on embedded SQLite (GRDB): profiles, visits, ledger, outbox.
        .target(
            name: "StoreCore",
            dependencies: [
                "KeyDerivation", "SyncProtocol",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The store's running service: taps recorded as visits, the HTTP/WebSocket API (Hummingbird 2), metrics.
        .target(
            name: "StoreService",
            dependencies: [
                "ReaderService", "StoreCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            resources: [.copy("Resources/openapi.yaml"), .copy("Resources/Public")],
            swiftSettings: strictSettings
        ),
        // The store ↔ head-office wire contract: batches, acknowledgements, the changes feed, signed requests.
        // Foundation and swift-crypto only, so both sides (and their tests) share one definition.
        .target(
            name: "SyncProtocol",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        // The store's side of the sync: pushes the outbox, pulls and applies head office's changes.
        .target(
            name: "StoreSync",
            dependencies: [
                "StoreCore", "SyncProtocol",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // Head office's domain on PostgreSQL (postgres-nio): migrations, idempotent ingest, identity resolution,
        // the changes feed, store credentials, digital profiles, GDPR, reports, segments, managers.
        .target(
            name: "HeadOffice",
            dependencies: [
                "SyncProtocol", "KeyDerivation",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Head office's stateless HTTP node (Hummingbird 2): sync endpoints with signed-request checks, webhooks.
        .target(
            name: "HeadOfficeService",
            dependencies: [
                "HeadOffice", "SyncProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources/openapi.yaml"), .copy("Resources/Public")],
            swiftSettings: strictSettings
        ),
        // A believable chain's traffic for demos and the dashboard's tests: stores on their own SQLite files, written
        // through the real store write paths and pushed to head office by the real sync engine.
        .target(
            name: "ChainSimulator",
            dependencies: [
                "StoreCore", "StoreSync", "SyncProtocol",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "parcours",
            dependencies: [
                "PCSC", "CardProtocols", "CardSecurity", "ReaderService", "StoreCore", "StoreService",
                "SyncProtocol", "StoreSync", "HeadOffice", "HeadOfficeService", "ChainSimulator",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                // parcours doctor: head office's /health, and the TLS certificates' dates and keys.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strictSettings
        ),
        // Benchmarks (`make bench`), never run by `make test`.
        .executableTarget(
            name: "parcours-bench",
            dependencies: [
                "PCSC", "CardProtocols", "CardSecurity", "ReaderService", "StoreCore", "StoreService", "CardSimulator",
                "SyncProtocol", "StoreSync", "HeadOffice", "HeadOfficeService",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // Hardware without hardware: the card simulator that speaks vpcd's protocol.
        .target(
            name: "CardSimulator",
            dependencies: ["CardProtocols", "CardSecurity", .product(name: "Crypto", package: "swift-crypto")],
            path: "hardware/cardsim/CardSimulator",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "parcours-cardsim",
            dependencies: [
                "CardSimulator", "CardProtocols", "CardSecurity",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "hardware/cardsim/parcours-cardsim",
            swiftSettings: strictSettings
        ),

        .testTarget(name: "CardProtocolsTests", dependencies: ["CardProtocols"], swiftSettings: strictSettings),
        .testTarget(name: "CardSecurityTests", dependencies: ["CardSecurity"], swiftSettings: strictSettings),
        // What the test targets that run real `parcours` processes share (the binary, free ports).
        .target(name: "TestProcesses", path: "Tests/TestProcesses", swiftSettings: strictSettings),
        .testTarget(name: "StoreCoreTests", dependencies: ["StoreCore", "KeyDerivation", "TestProcesses"], swiftSettings: strictSettings),
        // The HTTP API against a real SQLite file: role matrix, strict decoding, live taps, OpenAPI ↔ routes.
        .testTarget(
            name: "StoreServiceTests",
            dependencies: [
                "StoreService", "StoreCore", "ReaderService",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CardSimulatorTests",
            dependencies: ["CardSimulator", "CardProtocols", "CardSecurity", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "SyncProtocolTests", dependencies: ["SyncProtocol", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: strictSettings),
        // Head office and the sync against a real PostgreSQL (config/postgres/pg-cluster) and real SQLite files.
        .testTarget(
            name: "HeadOfficeTests",
            dependencies: [
                "HeadOffice", "HeadOfficeService", "SyncProtocol", "StoreSync", "StoreCore", "ChainSimulator", "TestProcesses",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "PCSCTests", dependencies: ["PCSC"], swiftSettings: strictSettings),
        // parcours doctor as a real process against the rig, real SQLite files, a real head office, made certificates.
        .testTarget(
            name: "DoctorTests",
            dependencies: [
                "PCSC", "CardSimulator", "CardProtocols", "CardSecurity", "SyncProtocol", "TestProcesses",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "ReaderServiceTests", dependencies: ["ReaderService", "CardSecurity", "CardProtocols", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: strictSettings),
        // Against the real stack: pcscd + vpcd + the card simulator.
        .testTarget(
            name: "RigTests",
            dependencies: [
                "PCSC", "ReaderService", "CardSimulator", "CardProtocols", "CardSecurity", "StoreCore", "StoreService",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
