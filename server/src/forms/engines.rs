//! Compiled form versions for checking visit completions, shared by every push and bounded.
//!
//! A stored form version never changes, so its compiled [`Engine`] is kept by [`FormId`] for as
//! long as it stays among the most recently used [`CAPACITY`] versions: an organization fills
//! its visits with one or two versions at a time, and compiling a large form takes milliseconds
//! the push transaction (on SQLite, the single writer) should not spend on every submission.
//! Ids are UUIDs minted per stored version, so one cache may serve several databases.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use terreno_shared::form::runtime::Engine;
use terreno_shared::ids::{FormId, OrgId};

/// Most compiled versions kept.
pub const CAPACITY: usize = 64;

/// A form version ready to evaluate answers.
#[derive(Debug)]
pub struct CompiledForm {
    /// The organization it belongs to: a cached version serves only its own organization.
    pub org: OrgId,
    /// The settings' `version` (empty when none): a submission naming another is refused.
    pub version: String,
    /// The form's default language, for the messages of a refusal.
    pub language: Option<String>,
    /// The compiled form.
    pub engine: Engine,
}

/// The cache, cheap to clone (clones share it).
#[derive(Clone, Default)]
pub struct FormEngines {
    inner: Arc<Mutex<Lru>>,
}

#[derive(Default)]
struct Lru {
    entries: HashMap<FormId, (Arc<CompiledForm>, u64)>,
    clock: u64,
}

impl FormEngines {
    /// The compiled version `id`, if cached (it becomes the most recently used).
    pub fn get(&self, id: FormId) -> Option<Arc<CompiledForm>> {
        let mut lru = self.lock();
        lru.clock += 1;
        let now = lru.clock;
        lru.entries.get_mut(&id).map(|(form, used)| {
            *used = now;
            Arc::clone(form)
        })
    }

    /// Keeps `form` as version `id`, dropping the least recently used version when full.
    pub fn insert(&self, id: FormId, form: CompiledForm) -> Arc<CompiledForm> {
        let form = Arc::new(form);
        let mut lru = self.lock();
        lru.clock += 1;
        let now = lru.clock;
        if lru.entries.len() >= CAPACITY && !lru.entries.contains_key(&id) {
            let oldest = lru.entries.iter().min_by_key(|(_, (_, used))| *used);
            if let Some(oldest) = oldest.map(|(k, _)| *k) {
                lru.entries.remove(&oldest);
            }
        }
        lru.entries.insert(id, (Arc::clone(&form), now));
        form
    }

    /// How many versions are cached.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Lru> {
        // A panic while holding the lock cannot leave the map half-updated in a harmful way:
        // every entry is a whole compiled form.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl fmt::Debug for FormEngines {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FormEngines")
            .field("cached", &self.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use terreno_shared::form::xlsform::{Sheet, parse_form};
    use uuid::Uuid;

    fn compiled() -> CompiledForm {
        let survey = Sheet::new(
            "survey",
            vec![
                vec!["type".into(), "name".into(), "label".into()],
                vec!["text".into(), "a".into(), "A".into()],
            ],
        );
        let (form, _) = parse_form(&[survey]).expect("a form");
        CompiledForm {
            org: OrgId::from_uuid(Uuid::nil()),
            version: String::new(),
            language: None,
            engine: Engine::new(&form).expect("compiles"),
        }
    }

    fn id(n: u128) -> FormId {
        FormId::from_uuid(Uuid::from_u128(n))
    }

    #[test]
    fn the_least_recently_used_version_leaves_when_the_cache_is_full() {
        let cache = FormEngines::default();
        for n in 0..CAPACITY as u128 {
            cache.insert(id(n), compiled());
        }
        assert!(
            cache.get(id(0)).is_some(),
            "0 becomes the most recently used"
        );

        cache.insert(id(1000), compiled());

        assert_eq!(cache.len(), CAPACITY);
        assert!(cache.get(id(0)).is_some());
        assert!(cache.get(id(1)).is_none(), "1 was the least recently used");
        assert!(cache.get(id(1000)).is_some());
    }

    #[test]
    fn clones_share_one_cache() {
        let cache = FormEngines::default();
        let clone = cache.clone();

        clone.insert(id(7), compiled());

        assert!(cache.get(id(7)).is_some());
    }
}
