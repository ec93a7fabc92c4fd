/// Reading what another program pipes to us.
public enum StandardInput {
    /// All of stdin, keeping at most `limit` bytes: a caller that must refuse larger input passes its own limit
    /// plus one and sees that many. The rest (up to 1 GiB) is read and dropped, so the program writing into the
    /// pipe never meets a broken pipe.
    public static func read(keeping limit: Int) throws -> [UInt8] {
        try Files.readToEnd(0, keeping: limit, what: "stdin")
    }
}
