extension HeadOfficeMigrations {
    /// v4: a store's push applied by one server-side call, `hq_ingest`, instead of a round trip per statement
    /// and six per identifier binding (found by the hq benchmark: the backend sat idle in the transaction most of
    /// the time, waiting for the next statement).
    ///
    /// The functions do what `Ingest.swift`, `Projection.swift` and `IdentityResolver.record` did statement by
    /// statement, in the same order and under the same locks. Two things stay in Swift, because the feed's
    /// contents are built there (`ChangeFeedWriter`): a merge or an erasure stops `hq_ingest`'s identity loop at
    /// that event (`o_identity_from`) and Swift applies the run from there on, and the backfill of the profiles a
    /// store has just met (`o_newly_seen`). Refusals are raised with SQLSTATE PX400 (bad input), PX401 (unknown
    /// store) and PX409 (conflict) and a message naming what was wrong.
    static let v4 = """
        -- Whether the store itself knew the person at the tap (its event names a profile), whatever head office
        -- attributes the visit to: the reports' identified share and sign-up conversion.
        ALTER TABLE visit ADD COLUMN identified_at_tap boolean;

        -- A date as the wire carries it (ISO 8601, SyncDate), or NULL. Only error paths and identifier bindings call it.
        CREATE FUNCTION hq_wire_date(p_text text) RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
        BEGIN
            IF p_text IS NULL OR p_text !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$' THEN
                RETURN NULL;
            END IF;
            RETURN p_text::timestamptz;
        EXCEPTION WHEN data_exception THEN
            RETURN NULL;
        END
        $$;

        -- The first thing wrong with a batch whose checks failed, named as the Swift checks name it. Error path only.
        CREATE FUNCTION hq_batch_error(p_sequences bigint[], p_types text[], p_payloads text[], p_created_ats text[],
                                       p_check_types text[], p_check_fields text[], p_check_kinds text[])
        RETURNS text LANGUAGE plpgsql STABLE AS $$
        DECLARE
            v_name text;
            v_payload jsonb;
            v_field text;
        BEGIN
            FOR v_index IN 1 .. COALESCE(cardinality(p_sequences), 0) LOOP
                v_name := format('events[%s] (sequence %s)', v_index - 1, p_sequences[v_index]);
                IF hq_wire_date(p_created_ats[v_index]) IS NULL THEN
                    RETURN format('%s: createdAt must be an ISO 8601 date, got ''%s''', v_name, left(p_created_ats[v_index], 40));
                END IF;
                BEGIN
                    v_payload := p_payloads[v_index]::jsonb;
                EXCEPTION WHEN data_exception THEN
                    v_payload := NULL;
                END;
                IF v_payload IS NULL OR jsonb_typeof(v_payload) <> 'object' THEN
                    RETURN format('%s: payload must be a JSON object', v_name);
                END IF;
                FOR v_check IN 1 .. COALESCE(cardinality(p_check_types), 0) LOOP
                    CONTINUE WHEN p_check_types[v_check] <> p_types[v_index];
                    v_field := p_check_fields[v_check];
                    IF p_check_kinds[v_check] = 'uuid' AND (jsonb_typeof(v_payload -> v_field) IS DISTINCT FROM 'string'
                            OR (v_payload ->> v_field) !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$') THEN
                        RETURN format('%s: payload.%s must be a UUID', v_name, v_field);
                    END IF;
                    IF p_check_kinds[v_check] = 'date' AND (jsonb_typeof(v_payload -> v_field) IS DISTINCT FROM 'string'
                            OR hq_wire_date(v_payload ->> v_field) IS NULL) THEN
                        RETURN format('%s: payload.%s must be an ISO 8601 date', v_name, v_field);
                    END IF;
                END LOOP;
            END LOOP;
            RETURN 'a payload could not be read';
        END
        $$;

        -- IdentityResolver.record for one identifier.bound event, up to a merge: 'merge' when the event needs one
        -- (nothing of it is applied then but the idempotent store_identifier row: Swift applies it), a note for the
        -- log when the binding was not applied, NULL when it was.
        CREATE FUNCTION hq_bind_identifier(p_store text, p_event jsonb, p_possession_kinds text[])
        RETURNS text LANGUAGE plpgsql AS $$
        DECLARE
            v_kind text := p_event ->> 'kind';
            v_value text := p_event ->> 'value';
            v_claimed uuid := (p_event ->> 'profileId')::uuid;
            v_verified boolean := v_kind = ANY(p_possession_kinds) OR COALESCE((p_event ->> 'verified')::boolean, false);
            v_at timestamptz := COALESCE(hq_wire_date(p_event ->> 'createdAt'), clock_timestamp());
            v_profile uuid;
            v_owner uuid;
            v_owner_verified boolean;
            v_revoked boolean;
            v_current uuid;
        BEGIN
            INSERT INTO store_identifier (id, store_id, kind, value) VALUES ((p_event ->> 'id')::uuid, p_store, v_kind, v_value)
            ON CONFLICT (id) DO NOTHING;
            IF v_claimed IS NULL THEN
                INSERT INTO identifier (kind, value, profile_id, verified, first_seen_at, first_store_id)
                VALUES (v_kind, v_value, NULL, v_verified, v_at, p_store)
                ON CONFLICT (kind, value) DO NOTHING;
                RETURN NULL;
            END IF;
            v_profile := resolve_profile(v_claimed);
            IF NOT EXISTS (SELECT 1 FROM profile WHERE id = v_profile) THEN
                RETURN format('identifier bound to a profile head office does not have: profile %s', v_claimed);
            END IF;
            SELECT profile_id, verified, revoked_at IS NOT NULL INTO v_owner, v_owner_verified, v_revoked
            FROM identifier WHERE kind = v_kind AND value = v_value FOR UPDATE;
            IF NOT FOUND THEN
                INSERT INTO identifier (kind, value, profile_id, verified, public_key, first_seen_at, first_store_id)
                VALUES (v_kind, v_value, v_profile, v_verified, p_event ->> 'publicKey', v_at, p_store);
                UPDATE visit SET profile_id = v_profile
                WHERE profile_id IS NULL AND identifier_id IN (SELECT id FROM store_identifier WHERE kind = v_kind AND value = v_value);
                RETURN NULL;
            END IF;
            IF v_revoked THEN
                -- A revoked card identifies nobody: binding it again (a thief signing up with it) merges nothing.
                RETURN format('revoked identifier bound again; not merged: kind %s', v_kind);
            END IF;
            IF v_owner IS NULL THEN
                UPDATE identifier SET profile_id = v_profile, verified = v_verified, public_key = COALESCE(p_event ->> 'publicKey', public_key)
                WHERE kind = v_kind AND value = v_value;
                UPDATE visit SET profile_id = v_profile
                WHERE profile_id IS NULL AND identifier_id IN (SELECT id FROM store_identifier WHERE kind = v_kind AND value = v_value);
                RETURN NULL;
            END IF;
            v_current := resolve_profile(v_owner);
            IF v_current = v_profile THEN
                RETURN NULL;
            END IF;
            IF NOT (v_verified AND v_owner_verified) THEN
                RETURN format('unverified shared identifier not merged: kind %s, owner %s, claimant %s', v_kind, v_current, v_profile);
            END IF;
            RETURN 'merge';
        END
        $$;

        -- Facts of the run (after, through], one statement per type, then the overdraft flags; answers the live
        -- profiles the run touched (named in a payload, or the owner of a visit's identifier), sorted.
        CREATE FUNCTION hq_apply_facts(p_store text, p_after bigint, p_through bigint) RETURNS uuid[] LANGUAGE plpgsql AS $$
        DECLARE
            v_visited uuid[];
            v_touched uuid[];
        BEGIN
            WITH inserted AS (
                INSERT INTO visit (id, store_id, device_id, identifier_id, identified_at_tap, profile_id, at)
                SELECT (p->>'id')::uuid, p->>'storeId', p->>'deviceId', (p->>'identifierId')::uuid, p->>'profileId' IS NOT NULL,
                       COALESCE(resolve_profile((p->>'profileId')::uuid),
                                (SELECT i.profile_id FROM store_identifier si JOIN identifier i ON i.kind = si.kind AND i.value = si.value
                                 WHERE si.id = (p->>'identifierId')::uuid AND i.revoked_at IS NULL)),
                       (p->>'at')::timestamptz
                FROM (SELECT payload AS p FROM store_event
                      WHERE store_id = p_store AND sequence > p_after AND sequence <= p_through AND type = 'visit.recorded') AS e
                ON CONFLICT (id) DO NOTHING
                RETURNING profile_id)
            SELECT COALESCE(array_agg(profile_id) FILTER (WHERE profile_id IS NOT NULL), '{}') INTO v_visited FROM inserted;

            INSERT INTO purchase (id, store_id, till_device_id, receipt_id, amount_minor, currency, lines, profile_id, points_earned, at)
            SELECT (p->>'id')::uuid, p->>'storeId', p->>'tillDeviceId', p->>'receiptId', (p->>'amountMinor')::bigint,
                   p->>'currency', p->'lines', resolve_profile((p->>'profileId')::uuid), COALESCE((p->>'pointsEarned')::bigint, 0),
                   (p->>'at')::timestamptz
            FROM (SELECT payload AS p FROM store_event
                  WHERE store_id = p_store AND sequence > p_after AND sequence <= p_through AND type = 'purchase.recorded') AS e
            ON CONFLICT DO NOTHING;

            INSERT INTO refund (id, store_id, purchase_id, refund_receipt_id, amount_minor, points_reversed, at)
            SELECT (p->>'id')::uuid, p->>'storeId', (p->>'purchaseId')::uuid, p->>'refundReceiptId', (p->>'amountMinor')::bigint,
                   COALESCE((p->>'pointsReversed')::bigint, 0), (p->>'at')::timestamptz
            FROM (SELECT payload AS p FROM store_event
                  WHERE store_id = p_store AND sequence > p_after AND sequence <= p_through AND type = 'refund.recorded') AS e
            ON CONFLICT DO NOTHING;

            INSERT INTO ledger_entry (id, profile_id, store_id, delta, reason, reference, at, expires_at)
            SELECT (p->>'id')::uuid, resolve_profile((p->>'profileId')::uuid), p_store, (p->>'delta')::bigint, p->>'reason',
                   p->>'reference', (p->>'at')::timestamptz, (p->>'expiresAt')::timestamptz
            FROM (SELECT payload AS p FROM store_event
                  WHERE store_id = p_store AND sequence > p_after AND sequence <= p_through AND type = 'ledger.entry') AS e
            WHERE EXISTS (SELECT 1 FROM profile WHERE id = resolve_profile((p->>'profileId')::uuid))
            ON CONFLICT DO NOTHING;

            INSERT INTO consent (id, profile_id, purpose, granted, at, source)
            SELECT (p->>'id')::uuid, resolve_profile((p->>'profileId')::uuid), p->>'purpose', (p->>'granted')::boolean,
                   (p->>'at')::timestamptz, 'store ' || p_store
            FROM (SELECT payload AS p FROM store_event
                  WHERE store_id = p_store AND sequence > p_after AND sequence <= p_through AND type = 'consent.changed') AS e
            WHERE EXISTS (SELECT 1 FROM profile WHERE id = resolve_profile((p->>'profileId')::uuid))
            ON CONFLICT DO NOTHING;

            INSERT INTO feedback (id, store_id, score, comment, language, kiosk_device_id, profile_id, at)
            SELECT (p->>'id')::uuid, p->>'storeId', (p->>'score')::integer, p->>'comment', p->>'language', p->>'kioskDeviceId',
                   resolve_profile((p->>'profileId')::uuid), (p->>'at')::timestamptz
            FROM (SELECT payload AS p FROM store_event
                  WHERE store_id = p_store AND sequence > p_after AND sequence <= p_through AND type = 'feedback.recorded') AS e
            ON CONFLICT DO NOTHING;

            INSERT INTO redemption (id, store_id, profile_id, reward_id, cost, device_id, at)
            SELECT (p->>'id')::uuid, p->>'storeId', resolve_profile((p->>'profileId')::uuid), p->>'rewardId', (p->>'cost')::bigint,
                   p->>'deviceId', (p->>'at')::timestamptz
            FROM (SELECT payload AS p FROM store_event
                  WHERE store_id = p_store AND sequence > p_after AND sequence <= p_through AND type = 'redemption.recorded') AS e
            WHERE EXISTS (SELECT 1 FROM profile WHERE id = resolve_profile((p->>'profileId')::uuid))
            ON CONFLICT DO NOTHING;

            -- Head office's balance is the authority: a redemption that leaves the chain balance below minus the
            -- store's allowance (counting every entry up to it) is flagged with the overdraft, for people to settle.
            UPDATE redemption r SET overdraft = -balance.total
            FROM (SELECT r2.id, (SELECT COALESCE(sum(delta), 0) FROM ledger_entry l WHERE l.profile_id = r2.profile_id AND l.at <= r2.at) AS total
                  FROM redemption r2 JOIN store_event e ON r2.id = (e.payload->>'id')::uuid
                  WHERE e.store_id = p_store AND e.sequence > p_after AND e.sequence <= p_through AND e.type = 'redemption.recorded') AS balance
            WHERE r.id = balance.id AND balance.total < -(SELECT redemption_allowance FROM store WHERE id = p_store);

            SELECT COALESCE(array_agg(pr.id ORDER BY pr.id), '{}') INTO v_touched
            FROM profile pr WHERE pr.erased_at IS NULL AND pr.id IN (
                SELECT resolve_profile((payload->>'profileId')::uuid) FROM store_event
                WHERE store_id = p_store AND sequence > p_after AND sequence <= p_through AND payload->>'profileId' IS NOT NULL
                UNION SELECT unnest(v_visited));
            RETURN v_touched;
        END
        $$;

        -- The store now knows these profiles; answers those it did not know before (they need a backfill), sorted.
        CREATE FUNCTION hq_mark_seen(p_store text, p_profiles uuid[]) RETURNS uuid[] LANGUAGE sql AS $$
            WITH seen AS (
                INSERT INTO store_profile (store_id, profile_id) SELECT p_store, unnest(p_profiles)
                ON CONFLICT DO NOTHING
                RETURNING profile_id)
            SELECT COALESCE(array_agg(profile_id ORDER BY profile_id), '{}') FROM seen
        $$;

        -- The run's ledger entries, consents and identifier bindings, to every other store that knows the profile.
        CREATE FUNCTION hq_fan_out(p_store text, p_after bigint, p_through bigint) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO change (store_id, kind, body)
            SELECT sp.store_id, 'ledgerEntry', jsonb_build_object('id', l.id, 'profileId', l.profile_id, 'delta', l.delta,
                   'reason', l.reason, 'reference', l.reference, 'at', e.payload->>'at', 'expiresAt', e.payload->>'expiresAt')
            FROM store_event e JOIN ledger_entry l ON l.id = (e.payload->>'id')::uuid
            JOIN store_profile sp ON sp.profile_id = l.profile_id AND sp.store_id <> p_store
            WHERE e.store_id = p_store AND e.sequence > p_after AND e.sequence <= p_through AND e.type = 'ledger.entry'
            ORDER BY e.sequence, sp.store_id;

            INSERT INTO change (store_id, kind, body)
            SELECT sp.store_id, 'consent', jsonb_build_object('id', c.id, 'profileId', c.profile_id, 'purpose', c.purpose,
                   'granted', c.granted, 'at', e.payload->>'at')
            FROM store_event e JOIN consent c ON c.id = (e.payload->>'id')::uuid
            JOIN store_profile sp ON sp.profile_id = c.profile_id AND sp.store_id <> p_store
            WHERE e.store_id = p_store AND e.sequence > p_after AND e.sequence <= p_through AND e.type = 'consent.changed'
            ORDER BY e.sequence, sp.store_id;

            INSERT INTO change (store_id, kind, body)
            SELECT sp.store_id, 'identifier', jsonb_build_object('kind', i.kind, 'value', i.value, 'profileId', i.profile_id,
                   'verified', i.verified, 'publicKey', i.public_key, 'revoked', i.revoked_at IS NOT NULL)
            FROM store_event e JOIN identifier i ON i.kind = e.payload->>'kind' AND i.value = e.payload->>'value'
            JOIN store_profile sp ON sp.profile_id = i.profile_id AND sp.store_id <> p_store
            WHERE e.store_id = p_store AND e.sequence > p_after AND e.sequence <= p_through AND e.type = 'identifier.bound'
            ORDER BY e.sequence, sp.store_id;
        END
        $$;

        -- A store's push, whole: checks, the store's row lock, the events stored once, the contiguous mark, and the
        -- projection of the run that became contiguous. The arrays are the batch's columns, in the batch's order;
        -- p_check_* are the payload fields each type must carry (ValidatedBatch's lists), p_*_lock AdvisoryLock's keys.
        CREATE FUNCTION hq_ingest(
            p_store text, p_sequences bigint[], p_ids text[], p_types text[], p_versions bigint[], p_payloads text[],
            p_created_ats text[], p_now timestamptz, p_check_types text[], p_check_fields text[], p_check_kinds text[],
            p_possession_kinds text[], p_identity_lock bigint, p_feed_lock bigint,
            OUT o_acknowledged bigint, OUT o_accepted bigint, OUT o_gap_from bigint[], OUT o_gap_to bigint[],
            OUT o_applied_after bigint, OUT o_identity_from bigint, OUT o_newly_seen uuid[], OUT o_notes text[])
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
            v_event record;
            v_note text;
            v_identity_locked boolean := false;
            v_touched uuid[];
        BEGIN
            o_accepted := 0;
            o_gap_from := '{}';
            o_gap_to := '{}';
            o_newly_seen := '{}';
            o_notes := '{}';
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
            o_applied_after := v_acknowledged;

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
            IF o_acknowledged <= v_acknowledged THEN
                RETURN;
            END IF;

            -- The projection of (v_acknowledged, o_acknowledged]. Profiles first, then identifiers first seen at a
            -- tap, all at once: inserting an unowned identifier commutes with every binding.
            WITH created AS (
                INSERT INTO profile (id, first_name, last_name, email, phone, language, created_at, updated_at, origin, origin_store_id)
                SELECT (p->>'id')::uuid, p->>'firstName', p->>'lastName', p->>'email', p->>'phone', p->>'language',
                       (p->>'createdAt')::timestamptz, (p->>'updatedAt')::timestamptz, 'store', p_store
                FROM (SELECT payload AS p FROM store_event
                      WHERE store_id = p_store AND sequence > v_acknowledged AND sequence <= o_acknowledged AND type = 'profile.created') AS e
                ON CONFLICT (id) DO NOTHING
                RETURNING id)
            INSERT INTO store_profile (store_id, profile_id) SELECT p_store, id FROM created ON CONFLICT DO NOTHING;

            WITH seen AS (
                SELECT (payload->>'id')::uuid AS id, payload->>'kind' AS kind, payload->>'value' AS value,
                       COALESCE((payload->>'verified')::boolean, false) AS verified, created_at
                FROM store_event
                WHERE store_id = p_store AND sequence > v_acknowledged AND sequence <= o_acknowledged AND type = 'identifier.seen'),
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
                WHERE store_id = p_store AND sequence > v_acknowledged AND sequence <= o_acknowledged
                  AND type IN ('identifier.bound', 'profile.erased')
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

            v_touched := hq_apply_facts(p_store, v_acknowledged, o_acknowledged);
            -- A run that touched no known person changes nothing any store must learn, and leaves the feed lock to
            -- others. The feed lock is taken last and held to commit.
            IF cardinality(v_touched) > 0 THEN
                PERFORM pg_advisory_xact_lock(p_feed_lock);
                o_newly_seen := hq_mark_seen(p_store, v_touched);
                PERFORM hq_fan_out(p_store, v_acknowledged, o_acknowledged);
            END IF;
        END
        $$
        """
}
