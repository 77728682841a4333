//! MySQL access: pool, migrations, transactions, repositories.
