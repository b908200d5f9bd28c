// libFuzzer harness for the NDEF codec, compiled together with the CardProtocols sources into one
// module (see run.sh), hence no `import CardProtocols`.
//
// Besides "no crash, no hang, no huge allocation", it checks that whatever parses re-serializes into
// bytes that parse back to the same message (the encoding is canonical, so not byte-identical).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    guard let message = try? NDEFMessage(parsing: input) else { return 0 }
    precondition(!message.records.isEmpty, "a parsed message has no records")
    let bytes: [UInt8]
    do {
        bytes = try message.serialized()
    } catch {
        preconditionFailure("a parsed message does not serialize: \(error)")
    }
    precondition(bytes.count <= input.count, "canonical form is longer than the input")
    precondition((try? NDEFMessage(parsing: bytes)) == message, "serialized message parses differently")
    for record in message.records {
        // The accessors decode text and must be total too.
        _ = record.uri
        _ = record.text
        _ = record.mediaType
        _ = record.externalType
        _ = record.description
        if let uri = record.uri, record.tnf == .wellKnown {
            precondition(NDEFRecord.uri(uri).uri == uri, "URI \(uri) does not survive re-encoding")
        }
    }
    return 0
}
