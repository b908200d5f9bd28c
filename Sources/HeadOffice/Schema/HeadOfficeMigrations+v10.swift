extension HeadOfficeMigrations {
    /// v10: a push is acknowledged once its events are stored, and applied afterwards (found by the hq benchmark:
    /// storing a batch costs about what PostgreSQL's COPY of it costs, applying it ten times that, and the store
    /// waited for both).
    ///
    /// `hq_receive` is the first half of v4's `hq_ingest`: the checks, the store's row lock, the events stored once
    /// and the contiguous mark, which is what the store is told. `hq_project` is the second half, for a store's
    /// received but not yet applied run: `store_projection` holds how far each store's events are applied, and its
    /// row lock lets one session at a time apply a store's events, on any node, strictly in sequence order. A store
    /// whose row is locked is skipped by a session that asks to skip (`p_wait` false: the background projector) and
    /// waited for by one that must see the run applied (a store's pull, for its own pushes). What `hq_ingest` left to
    /// Swift (merges, erasures, backfills) still follows in the same transaction.
    static let v10 = """
        CREATE TABLE store_projection (
            store_id text PRIMARY KEY REFERENCES store (id),
            -- Every event of the store up to here is applied to profiles, visits, the ledger and the reports.
            projected_sequence bigint NOT NULL DEFAULT 0
        );
        INSERT INTO store_projection (store_id, projected_sequence) SELECT id, acknowledged_sequence FROM store;
        -- Every store has its row from registration on, so that its lock is there to take before its first push.
        CREATE FUNCTION hq_store_projection_row() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO store_projection (store_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
            RETURN NEW;
        END
        $$;
        CREATE TRIGGER store_projection_row AFTER INSERT ON store FOR EACH ROW EXECUTE FUNCTION hq_store_projection_row();
        DROP FUNCTION hq_ingest(text, bigint[], text[], text[], bigint[], text[], text[], timestamptz, text[], text[], text[], text[], bigint, bigint);

        -- A store's push: checks, the store's row lock, the events stored once, the contiguous mark and the gaps.
        -- The arrays are the batch's columns, in the batch's order; p_check_* are the payload fields each type must
        -- carry (ValidatedBatch's lists).
        CREATE FUNCTION hq_receive(
            p_store text, p_sequences bigint[], p_ids text[], p_types text[], p_versions bigint[], p_payloads text[],
            p_created_ats text[], p_now timestamptz, p_check_types text[], p_check_fields text[], p_check_kinds text[],
            OUT o_acknowledged bigint, OUT o_accepted bigint, OUT o_gap_from bigint[], OUT o_gap_to bigint[])
        LANGUAGE plpgsql AS $$
        DECLARE
            v_iso constant text := '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$';
            v_uuid constant text := '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
            v_count integer := COALESCE(cardinality(p_sequences), 0);
            v_payloads jsonb[];
            v_bad bigint;
            v_acknowledged bigint;
            v_highest bigint;
            v_clash record;
        BEGIN
            o_accepted := 0;
            o_gap_from := '{}';
            o_gap_to := '{}';
            -- The checks in one statement; any failure (or a cast that throws) goes to the slow path that names it.
            BEGIN
                v_payloads := p_payloads::jsonb[];
                SELECT count(*) INTO v_bad FROM (
                    SELECT 1 FROM unnest(p_created_ats) AS c(t)
                    WHERE CASE WHEN c.t ~ v_iso THEN c.t::timestamptz IS NULL ELSE true END
                    UNION ALL
                    SELECT 1 FROM unnest(v_payloads) AS b(p) WHERE jsonb_typeof(b.p) IS DISTINCT FROM 'object'
                    UNION ALL
                    SELECT 1 FROM unnest(p_types, v_payloads) AS b(t, p)
                    JOIN unnest(p_check_types, p_check_fields, p_check_kinds) AS c(t, field, kind) ON c.t = b.t
                    WHERE CASE WHEN jsonb_typeof(b.p -> c.field) IS DISTINCT FROM 'string' THEN true
                               WHEN c.kind = 'uuid' THEN (b.p ->> c.field) !~* v_uuid
                               WHEN (b.p ->> c.field) ~ v_iso THEN (b.p ->> c.field)::timestamptz IS NULL
                               ELSE true END
                ) AS bad;
            EXCEPTION WHEN data_exception THEN
                v_bad := -1;
            END;
            IF v_bad <> 0 THEN
                RAISE EXCEPTION USING ERRCODE = 'PX400', MESSAGE = hq_batch_error(p_sequences, p_types, p_payloads, p_created_ats,
                                                                                  p_check_types, p_check_fields, p_check_kinds);
            END IF;

            -- One push per store at a time: the row lock orders concurrent sends of the same store.
            SELECT acknowledged_sequence, highest_received INTO v_acknowledged, v_highest FROM store WHERE id = p_store FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION USING ERRCODE = 'PX401', MESSAGE = format('store %s is not registered', p_store);
            END IF;
            IF v_count > 0 THEN
                INSERT INTO store_event (store_id, sequence, id, type, schema_version, payload, created_at)
                SELECT p_store, b.s, b.i::uuid, b.t, b.v, b.p, b.c::timestamptz
                FROM unnest(p_sequences, p_ids, p_types, p_versions, v_payloads, p_created_ats) AS b(s, i, t, v, p, c)
                ORDER BY b.s
                ON CONFLICT DO NOTHING;
                GET DIAGNOSTICS o_accepted = ROW_COUNT;
                IF o_accepted < v_count THEN
                    -- A duplicate must be the same event: same id at the same sequence, same type and payload.
                    SELECT b.s AS sequence, e.store_id AS other_store, e.sequence AS other_sequence INTO v_clash
                    FROM unnest(p_sequences, p_ids, p_types, v_payloads) AS b(s, i, t, p)
                    JOIN store_event e ON (e.store_id = p_store AND e.sequence = b.s) OR e.id = b.i::uuid
                    WHERE e.store_id <> p_store OR e.sequence <> b.s OR e.id <> b.i::uuid OR e.type <> b.t
                       OR (e.payload <> b.p AND NOT e.payload ? 'erased')
                    ORDER BY b.s LIMIT 1;
                    IF FOUND THEN
                        IF v_clash.other_store <> p_store THEN
                            RAISE EXCEPTION USING ERRCODE = 'PX409', MESSAGE = format(
                                'the event at sequence %s has the id of an event of another store: ids must be unique', v_clash.sequence);
                        ELSIF v_clash.other_sequence = v_clash.sequence THEN
                            RAISE EXCEPTION USING ERRCODE = 'PX409', MESSAGE = format(
                                'sequence %s was already received with different content: the store''s outbox was rewritten (restored from an old backup?)',
                                v_clash.sequence);
                        ELSE
                            RAISE EXCEPTION USING ERRCODE = 'PX409', MESSAGE = format(
                                'the event at sequence %s was already received at sequence %s', v_clash.sequence, v_clash.other_sequence);
                        END IF;
                    END IF;
                END IF;
            END IF;

            SELECT COALESCE(MAX(sequence), v_acknowledged) INTO o_acknowledged FROM (
                SELECT sequence, sequence - row_number() OVER (ORDER BY sequence) AS offset_from_mark
                FROM store_event WHERE store_id = p_store AND sequence > v_acknowledged) AS received
            WHERE offset_from_mark = v_acknowledged;
            v_highest := GREATEST(v_highest, COALESCE((SELECT max(s) FROM unnest(p_sequences) AS s), 0));
            IF v_highest > o_acknowledged THEN
                SELECT COALESCE(array_agg(previous + 1 ORDER BY sequence), '{}'), COALESCE(array_agg(sequence - 1 ORDER BY sequence), '{}')
                INTO o_gap_from, o_gap_to
                FROM (SELECT previous, sequence FROM (
                          SELECT sequence, lag(sequence, 1, o_acknowledged) OVER (ORDER BY sequence) AS previous
                          FROM store_event WHERE store_id = p_store AND sequence > o_acknowledged) AS received
                      WHERE sequence > previous + 1 ORDER BY sequence LIMIT 50) AS gap;
            END IF;
            UPDATE store SET acknowledged_sequence = o_acknowledged, highest_received = v_highest, last_push_at = p_now WHERE id = p_store;
        END
        $$;

        -- Applies up to p_limit of a store's received events past its projected mark, in sequence order, and moves
        -- the mark. o_busy: another session holds the store's projection (only when p_wait is false). The other
        -- outputs are hq_ingest's: where Swift takes over (o_identity_from), the profiles the store has just met, and
        -- the notes for the log. p_*_lock are AdvisoryLock's keys.
        CREATE FUNCTION hq_project(
            p_store text, p_limit bigint, p_wait boolean, p_possession_kinds text[], p_identity_lock bigint, p_feed_lock bigint,
            OUT o_after bigint, OUT o_through bigint, OUT o_busy boolean, OUT o_identity_from bigint,
            OUT o_newly_seen uuid[], OUT o_notes text[])
        LANGUAGE plpgsql AS $$
        DECLARE
            v_after bigint;
            v_through bigint;
            v_event record;
            v_note text;
            v_identity_locked boolean := false;
            v_touched uuid[];
        BEGIN
            o_busy := false;
            o_newly_seen := '{}';
            o_notes := '{}';
            IF p_wait THEN
                SELECT projected_sequence INTO v_after FROM store_projection WHERE store_id = p_store FOR UPDATE;
            ELSE
                SELECT projected_sequence INTO v_after FROM store_projection WHERE store_id = p_store FOR UPDATE SKIP LOCKED;
                IF NOT FOUND AND EXISTS (SELECT 1 FROM store WHERE id = p_store) THEN
                    o_busy := true;
                    RETURN;
                END IF;
            END IF;
            IF v_after IS NULL THEN
                RAISE EXCEPTION USING ERRCODE = 'PX401', MESSAGE = format('store %s is not registered', p_store);
            END IF;
            SELECT LEAST(acknowledged_sequence, v_after + p_limit) INTO v_through FROM store WHERE id = p_store;
            o_after := v_after;
            o_through := GREATEST(v_through, v_after);
            IF v_through <= v_after THEN
                RETURN;
            END IF;
            UPDATE store_projection SET projected_sequence = v_through WHERE store_id = p_store;

            -- Profiles first, then identifiers first seen at a tap, all at once: inserting an unowned identifier
            -- commutes with every binding. An identifier event scrubbed by an erasure before it was applied is skipped.
            WITH created AS (
                INSERT INTO profile (id, first_name, last_name, email, phone, language, created_at, updated_at, origin, origin_store_id)
                SELECT (p->>'id')::uuid, p->>'firstName', p->>'lastName', p->>'email', p->>'phone', p->>'language',
                       (p->>'createdAt')::timestamptz, (p->>'updatedAt')::timestamptz, 'store', p_store
                FROM (SELECT payload AS p FROM store_event
                      WHERE store_id = p_store AND sequence > v_after AND sequence <= v_through AND type = 'profile.created') AS e
                ON CONFLICT (id) DO NOTHING
                RETURNING id)
            INSERT INTO store_profile (store_id, profile_id) SELECT p_store, id FROM created ON CONFLICT DO NOTHING;

            WITH seen AS (
                SELECT (payload->>'id')::uuid AS id, payload->>'kind' AS kind, payload->>'value' AS value,
                       COALESCE((payload->>'verified')::boolean, false) AS verified, created_at
                FROM store_event
                WHERE store_id = p_store AND sequence > v_after AND sequence <= v_through AND type = 'identifier.seen'
                  AND NOT payload ? 'erased'),
            mapped AS (
                INSERT INTO store_identifier (id, store_id, kind, value) SELECT id, p_store, kind, value FROM seen
                ON CONFLICT (id) DO NOTHING)
            INSERT INTO identifier (kind, value, profile_id, verified, first_seen_at, first_store_id)
            SELECT DISTINCT ON (kind, value) kind, value, NULL::uuid, verified OR kind = ANY(p_possession_kinds), created_at, p_store
            FROM seen ORDER BY kind, value, created_at
            ON CONFLICT (kind, value) DO NOTHING;

            -- Identity event by event, in sequence order, under the chain-wide identity lock. A merge or an
            -- erasure hands the rest of the run to Swift.
            FOR v_event IN
                SELECT sequence, type, payload FROM store_event
                WHERE store_id = p_store AND sequence > v_after AND sequence <= v_through
                  AND type IN ('identifier.bound', 'profile.erased') AND NOT (type = 'identifier.bound' AND payload ? 'erased')
                ORDER BY sequence
            LOOP
                IF NOT v_identity_locked THEN
                    PERFORM pg_advisory_xact_lock(p_identity_lock);
                    v_identity_locked := true;
                END IF;
                IF v_event.type = 'profile.erased' THEN
                    o_identity_from := v_event.sequence;
                    RETURN;
                END IF;
                v_note := hq_bind_identifier(p_store, v_event.payload, p_possession_kinds);
                IF v_note = 'merge' THEN
                    o_identity_from := v_event.sequence;
                    RETURN;
                ELSIF v_note IS NOT NULL THEN
                    o_notes := o_notes || v_note;
                END IF;
            END LOOP;

            v_touched := hq_apply_facts(p_store, v_after, v_through);
            -- A run that touched no known person changes nothing any store must learn, and leaves the feed lock to
            -- others. The feed lock is taken last and held to commit.
            IF cardinality(v_touched) > 0 THEN
                PERFORM pg_advisory_xact_lock(p_feed_lock);
                o_newly_seen := hq_mark_seen(p_store, v_touched);
                PERFORM hq_fan_out(p_store, v_after, v_through);
            END IF;
        END
        $$
        """
}
