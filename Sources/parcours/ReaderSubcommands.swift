import ArgumentParser

/// Reader and card verbs (`parcours readers`, `parcours card …`).
let readerSubcommands: [any ParsableCommand.Type] = [ReadersCommand.self, CardCommand.self]
