//! The confusion matrix of a classifier: how often each true class is predicted as each class.

use std::fmt;

/// Counts of (true class, predicted class) pairs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfusionMatrix {
    /// `counts[t][p]`: examples of true class `t` predicted as `p`.
    pub counts: Vec<Vec<usize>>,
    /// Class names, in class order.
    pub classes: Vec<String>,
}

impl ConfusionMatrix {
    /// An empty matrix over `classes`.
    pub fn new(classes: &[&str]) -> Self {
        Self {
            counts: vec![vec![0; classes.len()]; classes.len()],
            classes: classes.iter().map(|c| c.to_string()).collect(),
        }
    }

    /// Counts one example of class `truth` predicted as `predicted`.
    ///
    /// # Panics
    /// If either class is not below the number of classes.
    pub fn add(&mut self, truth: usize, predicted: usize) {
        self.counts[truth][predicted] += 1;
    }

    /// The number of examples counted.
    pub fn total(&self) -> usize {
        self.counts.iter().flatten().sum()
    }

    /// The share of examples on the diagonal.
    pub fn accuracy(&self) -> f64 {
        let correct: usize = (0..self.counts.len()).map(|i| self.counts[i][i]).sum();
        correct as f64 / self.total().max(1) as f64
    }

    /// The share of class `class`'s examples predicted as `class` (its recall).
    pub fn recall(&self, class: usize) -> f64 {
        let row: usize = self.counts[class].iter().sum();
        self.counts[class][class] as f64 / row.max(1) as f64
    }
}

impl fmt::Display for ConfusionMatrix {
    /// A table with true classes as rows and predictions as columns, and each class's recall.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self
            .classes
            .iter()
            .map(|c| c.len())
            .max()
            .unwrap_or(0)
            .max(10);
        let cell = self
            .counts
            .iter()
            .flatten()
            .map(|n| n.to_string().len())
            .max()
            .unwrap_or(1)
            .max(4);
        write!(f, "{:>name$} ", "true \\ predicted")?;
        for i in 0..self.classes.len() {
            write!(f, " {i:>cell$}")?;
        }
        writeln!(f, "  recall")?;
        for (i, row) in self.counts.iter().enumerate() {
            write!(f, "{:>name$} {i:>2}", self.classes[i])?;
            for n in row {
                write!(f, " {n:>cell$}")?;
            }
            writeln!(f, "  {:6.2}%", 100.0 * self.recall(i))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_recall_and_accuracy_match_a_hand_count() {
        let mut m = ConfusionMatrix::new(&["cat", "dog", "eel"]);
        let pairs = [
            (0, 0),
            (0, 0),
            (0, 1),
            (1, 1),
            (2, 0),
            (2, 2),
            (2, 2),
            (2, 2),
        ];
        for (t, p) in pairs {
            m.add(t, p);
        }
        assert_eq!(m.counts, vec![vec![2, 1, 0], vec![0, 1, 0], vec![1, 0, 3]]);
        assert_eq!(m.total(), 8);
        assert_eq!(m.accuracy(), 6.0 / 8.0);
        assert_eq!(m.recall(0), 2.0 / 3.0);
        assert_eq!(m.recall(2), 0.75);
        let table = m.to_string();
        assert!(table.contains("eel  2    1    0    3   75.00%"), "{table}");
    }
}
