// libFuzzer harness for tag memory: Type 2 capability container and data-area TLVs with the read
// planner, Type 4 capability container and NLEN. Compiled together with the CardProtocols sources
// into one module (see run.sh).
//
// Checks: the planner never asks past the data area and, once satisfied, parsing succeeds; an NDEF
// message found in a data area re-encodes into a data area that yields it again; a Type 4 CC
// re-serializes into one that parses equal, and read plans stay inside the file.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []

    // Type 2: the input is a CC followed by a data area.
    if let cc = try? Type2CapabilityContainer(parsing: input) {
        precondition(Array(cc.serialized()) == Array(input.prefix(4)), "Type 2 CC does not re-serialize")
        let area = Array(input.dropFirst(4).prefix(cc.dataAreaSize))
        // What the first read (pages 3-6) gives: 12 data-area bytes, zeros where the input ran out.
        let firstRead = Array(area.prefix(12)) + [UInt8](repeating: 0, count: 12 - min(area.count, 12))
        var prefix = Array(firstRead.prefix(cc.dataAreaSize))
        var rounds = 0
        while let pages = try? Type2Tag.pagesToRead(dataAreaPrefix: prefix, dataAreaSize: cc.dataAreaSize), !pages.isEmpty {
            rounds += 1
            precondition(rounds <= 200, "planner does not converge")
            for page in pages {
                let offset = (Int(page) - Int(Type2Tag.firstDataPage)) * Type2Tag.bytesPerPage
                precondition(offset == prefix.count, "planner skipped or repeated bytes")
                precondition(offset < cc.dataAreaSize, "planner asks past the data area")
                let chunk = Array(area.dropFirst(offset).prefix(Type2Tag.bytesPerRead))
                // Keep the simulated memory consistent with what earlier reads returned.
                prefix += chunk + [UInt8](repeating: 0, count: Type2Tag.bytesPerRead - chunk.count)
            }
            prefix = Array(prefix.prefix(cc.dataAreaSize))
        }
    }

    if let memory = try? Type2TagMemory(parsing: input) {
        precondition(memory.usedLength <= input.count, "used length beyond the input")
        if let message = memory.ndefMessage {
            let capacity = max(message.count + 5, 16)
            if let area = try? Type2TagMemory.dataArea(forNDEF: message, capacity: capacity) {
                precondition((try? Type2TagMemory(parsing: area))?.ndefMessage == message, "NDEF TLV round trip")
            }
        }
        for lock in memory.lockControls { _ = (lock.byteAddress, lock.sizeInBits, lock.bytesLockedPerBit) }
        for control in memory.memoryControls { _ = (control.byteAddress, control.size) }
    }

    // Type 4: the input is a CC file, then NLEN.
    if let cc = try? Type4CapabilityContainer(parsing: input) {
        precondition((try? Type4CapabilityContainer(parsing: cc.serialized()))?.ndefFile == cc.ndefFile, "Type 4 CC round trip")
        let rest = Array(input.dropFirst(cc.ndefFile.isExtended ? 17 : 15))
        if let length = try? Type4Tag.messageLength(parsing: rest, for: cc),
           let reads = try? Type4Tag.messageReads(messageLength: length, for: cc)
        {
            let total = reads.reduce(0) { $0 + ($1.expectedLength ?? 0) }
            precondition(total == length, "read plan covers \(total) bytes of \(length)")
            precondition(reads.allSatisfy { ($0.expectedLength ?? 0) <= cc.maximumResponseLength }, "read above MLe")
        }
    }
    return 0
}
