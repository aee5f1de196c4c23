package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"
)

// The batch writer bypasses ent's bulk builders: they print a new multi-row statement for every
// batch (thousands of placeholders), which SQLite parses anew each time. Instead each table has
// one fixed statement text per dialect:
//
//   - SQLite: a single-row INSERT, prepared once per batch transaction and executed per row.
//     SQLite runs in process, so a row costs no round trip, and the affected-row count of each
//     execution says whether the row was inserted or skipped as a conflict.
//   - Postgres: one INSERT … SELECT FROM unnest($1::type[], …) per table and batch, rows passed
//     column-wise as arrays: one round trip whatever the batch size, and the same text every
//     time, so pgx's statement cache prepares it once per connection. RETURNING names the
//     inserted rows.

// usageColumn is a column the writer fills and its Postgres array element type.
type usageColumn struct{ name, pgType string }

// usageTable is one table the writer inserts into, with its statement for each dialect.
type usageTable struct {
	name string
	cols []usageColumn
	// key is the unique column whose inserted values Postgres RETURNs ("" when the caller does
	// not ask which rows were inserted); keyIndex is its position in cols.
	key      string
	keyIndex int

	sqlite, postgres string
}

// newUsageTable builds the statements for table; onConflict is the same on both dialects.
func newUsageTable(table string, cols []usageColumn, onConflict, key string) *usageTable {
	t := &usageTable{name: table, cols: cols, key: key, keyIndex: -1}
	names := make([]string, len(cols))
	marks := make([]string, len(cols))
	arrays := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
		marks[i] = "?"
		arrays[i] = "$" + strconv.Itoa(i+1) + "::" + c.pgType + "[]"
		if c.name == key {
			t.keyIndex = i
		}
	}
	if key != "" && t.keyIndex < 0 {
		panic("usage table " + table + ": key " + key + " is not a column")
	}
	head := "INSERT INTO " + table + " (" + strings.Join(names, ", ") + ") "
	t.sqlite = head + "VALUES (" + strings.Join(marks, ", ") + ") " + onConflict
	t.postgres = head + "SELECT * FROM unnest(" + strings.Join(arrays, ", ") + ") " + onConflict
	if key != "" {
		t.postgres += " RETURNING " + key
	}
	return t
}

// addCounters is the conflict clause of a rollup table: the new row's counters are added to
// the existing row's.
func addCounters(table string, conflictCols, counters []string) string {
	sets := make([]string, len(counters))
	for i, c := range counters {
		sets[i] = c + " = " + table + "." + c + " + excluded." + c
	}
	return "ON CONFLICT (" + strings.Join(conflictCols, ", ") + ") DO UPDATE SET " + strings.Join(sets, ", ")
}

// insertRows writes rows (values in t.cols order; Go types time.Time, string, int64, bool,
// float64 or *int64 for a nullable integer) into t within tx. When t.key is set it returns
// which rows were inserted rather than skipped as conflicts; rows must then have distinct keys.
func insertRows(ctx context.Context, tx *sql.Tx, dia string, t *usageTable, rows [][]any) ([]bool, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	var inserted []bool
	var err error
	if dia == dialect.Postgres {
		inserted, err = insertRowsPostgres(ctx, tx, t, rows)
	} else {
		inserted, err = insertRowsSQLite(ctx, tx, t, rows)
	}
	if err != nil {
		return nil, fmt.Errorf("insert into %s: %w", t.name, err)
	}
	return inserted, nil
}

func insertRowsSQLite(ctx context.Context, tx *sql.Tx, t *usageTable, rows [][]any) ([]bool, error) {
	// Prepared per transaction: parsing one single-row statement per batch costs microseconds,
	// and nothing outlives the transaction (no statement cache to key by database handle).
	stmt, err := tx.PrepareContext(ctx, t.sqlite)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	var inserted []bool
	if t.key != "" {
		inserted = make([]bool, len(rows))
	}
	for i, row := range rows {
		res, err := stmt.ExecContext(ctx, row...)
		if err != nil {
			return nil, err
		}
		if inserted != nil {
			n, err := res.RowsAffected()
			if err != nil {
				return nil, err
			}
			inserted[i] = n > 0
		}
	}
	return inserted, nil
}

func insertRowsPostgres(ctx context.Context, tx *sql.Tx, t *usageTable, rows [][]any) ([]bool, error) {
	arrays := make([]any, len(t.cols))
	for j := range t.cols {
		a, err := columnArray(rows, j)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", t.cols[j].name, err)
		}
		arrays[j] = a
	}
	if t.key == "" {
		_, err := tx.ExecContext(ctx, t.postgres, arrays...)
		return nil, err
	}
	res, err := tx.QueryContext(ctx, t.postgres, arrays...)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	added := make(map[string]bool, len(rows))
	for res.Next() {
		var k string
		if err := res.Scan(&k); err != nil {
			return nil, err
		}
		added[k] = true
	}
	if err := res.Err(); err != nil {
		return nil, err
	}
	inserted := make([]bool, len(rows))
	for i, row := range rows {
		inserted[i] = added[row[t.keyIndex].(string)]
	}
	return inserted, nil
}

// columnArray returns column j of rows as a typed slice, which pgx sends as a Postgres array.
func columnArray(rows [][]any, j int) (any, error) {
	switch rows[0][j].(type) {
	case time.Time:
		return typedColumn[time.Time](rows, j), nil
	case string:
		return typedColumn[string](rows, j), nil
	case int64:
		return typedColumn[int64](rows, j), nil
	case bool:
		return typedColumn[bool](rows, j), nil
	case float64:
		return typedColumn[float64](rows, j), nil
	case *int64:
		return typedColumn[*int64](rows, j), nil
	}
	return nil, fmt.Errorf("unsupported value type %T", rows[0][j])
}

func typedColumn[T any](rows [][]any, j int) []T {
	out := make([]T, len(rows))
	for i, row := range rows {
		out[i] = row[j].(T)
	}
	return out
}
