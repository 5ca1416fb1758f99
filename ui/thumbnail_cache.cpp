#include "thumbnail_cache.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QImageReader>
#include <QPainter>
#include <QPointer>
#include <QSaveFile>
#include <QThreadPool>

namespace newbie::ui {

ThumbnailCache::ThumbnailCache(const QString& dataDir, int size, QObject* parent)
    : QObject(parent), dir_(QDir(dataDir).filePath(QStringLiteral("thumbs"))), size_(size), pool_(new QThreadPool(this)) {
  QDir().mkpath(dir_);
  memory_.setMaxCost(2000);
  pool_->setMaxThreadCount(2);
  placeholder_ = QImage(size_, size_, QImage::Format_RGB32);
  placeholder_.fill(QColor(0x3a, 0x3a, 0x3a));
  QPainter p(&placeholder_);
  p.setPen(QColor(0x70, 0x70, 0x70));
  p.drawRect(size_ / 4, size_ / 4, size_ / 2, size_ / 2);
}

ThumbnailCache::~ThumbnailCache() { pool_->waitForDone(); }

QString ThumbnailCache::cacheFileFor(const QString& path) const {
  const QFileInfo fi(path);
  const QByteArray key = (fi.absoluteFilePath() + QLatin1Char('|') +
                          QString::number(fi.lastModified().toMSecsSinceEpoch()) + QLatin1Char('|') +
                          QString::number(fi.size()) + QLatin1Char('|') + QString::number(size_))
                             .toUtf8();
  return QDir(dir_).filePath(
      QString::fromLatin1(QCryptographicHash::hash(key, QCryptographicHash::Sha1).toHex()) + QStringLiteral(".png"));
}

QImage ThumbnailCache::thumbnail(const QString& path, bool* ready) {
  if (QImage* img = memory_.object(path)) {
    if (ready) *ready = true;
    return *img;
  }
  if (ready) *ready = false;
  if (!pending_.contains(path)) {
    pending_.insert(path);
    const QString cacheFile = cacheFileFor(path);
    const int size = size_;
    QPointer<ThumbnailCache> self(this);
    pool_->start([self, path, cacheFile, size] {
      QImage img;
      if (QFileInfo::exists(cacheFile)) img.load(cacheFile);
      if (img.isNull()) {
        QImageReader r(path);
        const QSize s = r.size();
        if (s.isValid()) r.setScaledSize(s.scaled(size, size, Qt::KeepAspectRatio));
        img = r.read();
        if (!img.isNull()) {
          if (img.width() > size || img.height() > size) img = img.scaled(size, size, Qt::KeepAspectRatio, Qt::SmoothTransformation);
          QSaveFile f(cacheFile);
          if (f.open(QIODevice::WriteOnly) && img.save(&f, "PNG")) f.commit();
        }
      }
      if (self) QMetaObject::invokeMethod(self.data(), [self, path, img] { if (self) self->deliver(path, img); }, Qt::QueuedConnection);
    });
  }
  return placeholder_;
}

void ThumbnailCache::deliver(const QString& path, const QImage& img) {
  pending_.remove(path);
  memory_.insert(path, new QImage(img.isNull() ? placeholder_ : img));
  emit thumbnailReady(path);
}

void ThumbnailCache::waitForIdle() { pool_->waitForDone(); }

}  // namespace newbie::ui
