#pragma once
// ThumbnailCache: square-bounded thumbnails of image files, cached in memory (QCache) and on
// disk (<dataDir>/thumbs/<sha1(path|mtime|size)>.png), loaded on a private QThreadPool so the
// UI never waits for disk or decoding.
//
// thumbnail(path) returns immediately: the cached image, or a placeholder while a load runs;
// thumbnailReady(path) is emitted (on the owner's thread) when the real one is available.
// Methods are UI-thread only; the loading runs on worker threads and touches no members.

#include <QCache>
#include <QImage>
#include <QObject>
#include <QSet>
#include <QString>

class QThreadPool;

namespace newbie::ui {

class ThumbnailCache : public QObject {
  Q_OBJECT
 public:
  ThumbnailCache(const QString& dataDir, int size = 160, QObject* parent = nullptr);
  ~ThumbnailCache() override;
  int size() const { return size_; }
  QString directory() const { return dir_; }
  /// Cached thumbnail or the placeholder (and a load is started). `*ready` tells which.
  QImage thumbnail(const QString& path, bool* ready = nullptr);
  QImage placeholder() const { return placeholder_; }
  /// Disk-cache file for an image (exists once loaded).
  QString cacheFileFor(const QString& path) const;
  /// Blocks until queued loads finish (tests / shutdown).
  void waitForIdle();
  int pendingCount() const { return static_cast<int>(pending_.size()); }

 signals:
  void thumbnailReady(const QString& path);

 private:
  void deliver(const QString& path, const QImage& img);
  QString dir_;
  int size_;
  QImage placeholder_;
  QCache<QString, QImage> memory_;
  QSet<QString> pending_;
  QThreadPool* pool_;
};

}  // namespace newbie::ui
