import HeadOffice
import Testing

@Suite("Head-office migrations are split into statements")
struct MigrationStatementsTests {
    @Test("statements end at line-ending semicolons, except inside a $$-quoted function body; comment lines are dropped")
    func dollarQuotedBodies() {
        let sql = """
            -- a comment;
            CREATE TABLE t (id integer);
            CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$
            BEGIN
                -- inside the body;
                INSERT INTO t VALUES (1);
                UPDATE t SET id = 2;
            END
            $$;
            CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
            CREATE INDEX t_on_id ON t (id)
            """
        let statements = HeadOfficeMigrations.statements(of: sql)
        #expect(statements == [
            "CREATE TABLE t (id integer)",
            "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n    INSERT INTO t VALUES (1);\n    UPDATE t SET id = 2;\nEND\n$$",
            "CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$",
            "CREATE INDEX t_on_id ON t (id)",
        ])
    }

    @Test("a migration without function bodies splits as before: one statement per line-ending semicolon")
    func plainStatements() {
        #expect(HeadOfficeMigrations.statements(of: "CREATE TABLE a (x int);\nCREATE TABLE b (y int);\n") ==
            ["CREATE TABLE a (x int)", "CREATE TABLE b (y int)"])
        #expect(HeadOfficeMigrations.statements(of: "SELECT 'a;b'") == ["SELECT 'a;b'"])
    }
}
