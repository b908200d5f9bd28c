import Foundation
import HeadOffice
import HeadOfficeService
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Head office's OpenAPI document", .serialized)
struct HeadOfficeOpenAPITests {
    @Test("the document lists exactly the routes the node registers, and the node serves it")
    func matchesRoutes() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            let api = HeadOfficeAPI(database: hq)
            let document = HeadOfficeAPI.openAPIDocument
            let documented = Set(OpenAPIOperations.in(document))
            #expect(documented.count >= 6)
            let registered = Set(api.makeRouter().routes.map { "\($0.method.rawValue) \($0.path.description)" })
            #expect(documented.subtracting(registered).sorted() == [], "documented but not routed")
            #expect(registered.subtracting(documented).sorted() == [], "routed but not documented")
            // Every kind of change the feed can carry is in the document's enum.
            for kind in ["rewardCatalog", "loyaltyRules", "storeSettings"] { #expect(document.contains(kind)) }

            let app = try buildHeadOfficeApplication(api: api, host: "127.0.0.1", port: 0, logger: HeadOfficeHarness.quietLogger("http"))
            try await app.test(.router) { client in
                try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("application/yaml") == true)
                    #expect(String(buffer: response.body) == document)
                }
            }
        }
    }
}

/// `METHOD /path` pairs out of an OpenAPI YAML document: the keys under `paths:` at two spaces and the HTTP
/// methods under each at four (the store's test reads its document the same way). Not a YAML parser.
enum OpenAPIOperations {
    static func `in`(_ document: String) -> [String] {
        let methods: Set<String> = ["get", "post", "put", "patch", "delete", "head", "options"]
        var inPaths = false
        var currentPath: String?
        var operations: [String] = []
        for line in document.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) {
            if !line.hasPrefix(" ") {
                inPaths = line.hasPrefix("paths:")
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   "), line.hasSuffix(":") {
                currentPath = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), let path = currentPath {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if methods.contains(String(key)) { operations.append("\(key.uppercased()) \(path)") }
            }
        }
        return operations
    }
}
